import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The two large files issue 14 measures the editor on, fetched from Debian's archive (never
// kept in the repo): Laravel's Query/Builder.php (php-illuminate-database, the database part
// of php-laravel-framework) and TCPDF's tcpdf.php (php-tcpdf). `apt-get download` needs no
// root and installs nothing; the .deb is unpacked into a temp folder.

interface Source { pkg: string; path: string; name: string }

const SOURCES: readonly Source[] = [
  { pkg: 'php-illuminate-database', path: 'usr/share/php/Illuminate/Database/Query/Builder.php', name: 'laravel Query/Builder.php' },
  { pkg: 'php-tcpdf', path: 'usr/share/php/tcpdf/tcpdf.php', name: 'TCPDF tcpdf.php' },
];

export interface BenchFile { name: string; path: string }

/** Downloads and unpacks the bench files; throws with a plain reason when it cannot. */
export function fetchBenchFiles(log: (m: string) => void): BenchFile[] {
  const dir = mkdtempSync(join(tmpdir(), 'phpleak-lsp-bench-'));
  const out: BenchFile[] = [];
  for (const s of SOURCES) {
    log(`fetching ${s.pkg} with apt-get download into ${dir}`);
    try {
      execFileSync('apt-get', ['download', s.pkg], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`apt-get download ${s.pkg} failed (${(e as { stderr?: Buffer }).stderr?.toString().trim() || (e as Error).message}); pass the files as arguments instead`);
    }
    const deb = readdirSync(dir).find((f) => f.startsWith(`${s.pkg}_`) && f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${s.pkg} left no .deb in ${dir}`);
    const unpacked = join(dir, s.pkg);
    execFileSync('dpkg-deb', ['-x', join(dir, deb), unpacked]);
    const path = join(unpacked, s.path);
    if (!existsSync(path)) throw new Error(`${deb} has no ${s.path}`);
    out.push({ name: s.name, path });
  }
  return out;
}
