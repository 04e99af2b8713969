/**
 * The system programs some suites start. A missing one fails the suite once, naming the Debian
 * package to install, instead of a raw `spawn ENOENT` and a cascade of after-hook errors.
 */
import { execFileSync } from 'node:child_process';

const PACKAGES: Readonly<Record<string, string>> = { 'redis-server': 'redis-server', nginx: 'nginx', openssl: 'openssl', chromium: 'chromium' };
const checked = new Map<string, boolean>();

export function requireBinary(name: keyof typeof PACKAGES & string): void {
  let found = checked.get(name);
  if (found === undefined) {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      found = true;
    } catch {
      found = false;
    }
    checked.set(name, found);
  }
  if (!found) throw new Error(`${name} is not installed; the suite starts it. Install it: apt-get install ${PACKAGES[name] ?? name} (.ci/run does this).`);
}
