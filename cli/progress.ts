// A progress bar on stderr for long runs: only on a TTY, never in CI (the CI variable), and
// not before half a second has passed (short runs print nothing). Redrawn at most 10 times a
// second; cleared before the report is written.

export interface Progress { update(done: number, total: number): void; done(): void }

const NONE: Progress = { update() {}, done() {} };

export function createProgress(stream: NodeJS.WriteStream, enabled: boolean, env: NodeJS.ProcessEnv): Progress {
  if (!enabled || !stream.isTTY || isCi(env)) return NONE;
  const started = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - started < 500 || (now - last < 100 && done < total)) return;
      last = now;
      shown = true;
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 40));
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const rate = done / Math.max(0.001, (now - started) / 1000);
      stream.write(`\r\u001b[2K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} files, ${rate.toFixed(0)}/s`);
    },
    done() {
      if (shown) stream.write('\r\u001b[2K');
    },
  };
}

export function isCi(env: NodeJS.ProcessEnv): boolean {
  return !!env.CI && env.CI !== 'false' && env.CI !== '0';
}
