// Puts the `waymark` command line next to the app in every installer: Tauri's bundler takes
// "external binaries" from binaries/<name>-<target triple>[.exe] (tauri.conf.json,
// bundle.externalBin), so this builds the CLI with the same profile as the app and copies it
// there. Run by Tauri as the beforeBundleCommand of `tauri build` and `tauri bundle`, from the
// repository root; plain Node so it works the same on Windows, macOS and Linux.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const debug = process.env.TAURI_ENV_DEBUG === 'true';
const profile = debug ? 'debug' : 'release';
const host = /host: (\S+)/.exec(execFileSync('rustc', ['-vV'], { encoding: 'utf8' }))?.[1];
const triple = process.env.TAURI_ENV_TARGET_TRIPLE || host;
if (!triple) {
  console.error('stage-cli: could not tell the target triple (rustc -vV printed no host line)');
  process.exit(1);
}
const exe = triple.includes('windows') ? '.exe' : '';
const crossing = triple !== host;

// A debug bundle (the package smoke test, after the e2e tests) packs the e2e build: the CLI is
// built the same way as there (the whole workspace and its test targets, so the same features),
// which finds it already built. `-p waymark-cli` alone would resolve features without the
// workspace's dev-dependencies and compile ~300 crates a second time.
const args = debug
  ? ['build', '--workspace', '--all-targets', '--locked']
  : ['build', '-p', 'waymark-cli', '--locked', '--release'];
if (crossing) args.push('--target', triple);
console.log(`stage-cli: cargo ${args.join(' ')}`);
execFileSync('cargo', args, { stdio: 'inherit' });

const built = join('target', ...(crossing ? [triple] : []), profile, `waymark${exe}`);
if (!existsSync(built)) {
  console.error(`stage-cli: ${built} was not built`);
  process.exit(1);
}
mkdirSync('binaries', { recursive: true });
const staged = join('binaries', `waymark-${triple}${exe}`);
copyFileSync(built, staged);
console.log(`stage-cli: ${built} -> ${staged}`);
