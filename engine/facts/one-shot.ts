// Is this file part of a one-shot entry point: a script run by hand, by a build, by cron or by
// an installer, which does its work and exits? Whatever such a process keeps between calls (a
// memo, code compiled from strings, listeners, a buffer) is given back when it ends, so rules
// about state kept across requests or jobs (meta `silentInOneShot`, engine/rule.ts) say nothing
// there. Decided once per file from its project-relative path (the front ends pass it, as they
// do for test files) and vetoed by long-running evidence of the file itself: a script under
// bin/ that loops over a queue for ever is a worker (engine/lint.ts).
//
// The folders are where projects keep such scripts and the code only they include:
//  - bin/, scripts/, script/, tools/, dev/, .github/: scripts run by hand, by CI or by a build;
//  - build/: release and build tooling (yii2's build/controllers regenerate phpdoc);
//  - cli/: a folder of command-line scripts and their helpers, each run by hand or by cron and
//    then exiting (FreshRSS `cli/actualize-user.php`, its translation tools under cli/i18n/);
//  - requirements/: requirement checkers run once before an install (php requirements.php).
// Not here: framework console commands (src/Command/…): whether one ends is decided from its
// code (engine/facts/long-running.ts), and classes a worker may load live under src/, app/, lib/.

const ONE_SHOT_DIR = /(^|\/)(bin|scripts?|build|tools|dev|\.github|cli|requirements)\//;

/** The folder that makes a project-relative path one-shot (`build`), or null. */
export function oneShotFolder(relPath: string): string | null {
  return ONE_SHOT_DIR.exec(relPath.replace(/\\/g, '/'))?.[2] ?? null;
}

/** Is the file (project-relative path) in a folder of one-shot scripts? Long-running evidence still vetoes (engine/lint.ts). */
export function isOneShotPath(relPath: string): boolean {
  return oneShotFolder(relPath) !== null;
}
