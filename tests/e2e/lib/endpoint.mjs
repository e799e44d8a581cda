// The awarding body's side of the submission tests, from outside, as an operator, an assessor
// and a school's IT person would drive it:
//
// - a real `waymark-server` (init, its server.toml, `serve`) on a loopback port in a temporary
//   folder, stopped when the test ends (also when it fails, and when node exits);
// - optionally a throttling TCP proxy of our own in front of it (the server's public URL, and so
//   the enrollment code, name the proxy), which counts what it carried;
// - the administrator's steps over the admin API with the token `init` printed;
// - assessors and moderators through the `waymark-assess` CLI, each with a settings folder of
//   their own and their credentials in the OS keychain;
// - a school made eligible for the Technology Mark with the `waymark` CLI on the app's data
//   folder, before the app starts.
//
// The OS keychain is the Secret Service on the D-Bus session bus in this process's environment:
// scripts/e2e.sh runs the submission tests inside `dbus-run-session` with gnome-keyring-daemon
// unlocked ([`requireKeychain`] says so when it is missing). Every child gets that environment,
// with proxy variables removed (everything here is loopback).
//
// Every child process is run asynchronously (the proxy lives in this process and must keep
// forwarding meanwhile), with a timeout; every wait is bounded.

import { execFile, spawn } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './app.mjs';

// The binaries as built; `requirements()` checks them and copies them into a folder of this
// run's own, so a build finishing meanwhile cannot swap one mid-test.
let SERVER = process.env.WAYMARK_SERVER ?? join(ROOT, 'target/debug/waymark-server');
let ASSESS = process.env.WAYMARK_ASSESS ?? join(ROOT, 'target/debug/waymark-assess');
let CLI = process.env.WAYMARK_CLI ?? join(ROOT, 'target/debug/waymark');
const LOGS = process.env.WAYMARK_E2E_LOGS ?? join(ROOT, 'test-output/logs');
const KEEP = process.env.WAYMARK_E2E_KEEP === '1';

/** The awarding body's name in these tests. */
export const AWARDING_BODY = 'Bwrdd Dyfarnu Prawf (E2E Awarding Body)';
/** The framework and the mark the school applies for. */
export const FRAMEWORK = 'technology-self-review';
export const AWARD = 'technology-mark';
/** Who the school's changes are recorded as. */
export const LEAD = 'Mrs Siân Jones';

const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** This process's environment for a child: the same keychain bus, no proxy. */
export function childEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const v of PROXY_VARS) delete env[v];
  return env;
}

/**
 * Runs a program to completion (asynchronously, with a timeout); resolves {code, stdout,
 * stderr}. Never rejects for a non-zero exit: callers decide.
 */
export function run(file, args, { env = childEnv(), input, timeout = 120_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { env, timeout, maxBuffer: 64 << 20, encoding: 'utf8', killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number' && !err.killed) {
        reject(new Error(`cannot run ${file}: ${err.message}`));
        return;
      }
      resolve({ code: err ? (err.killed ? `killed after ${timeout / 1000} s` : err.code) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** Runs and expects exit 0; the error names the command and shows its output. */
export async function ok(file, args, opts) {
  const r = await run(file, args, opts);
  if (r.code !== 0) {
    throw new Error(`${file.split('/').pop()} ${args.join(' ')} failed (${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  return r;
}

/** A free loopback port (bound and released; the caller binds it next). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** A temporary folder removed when the test ends (kept with WAYMARK_E2E_KEEP=1). */
export function tempDir(t, prefix) {
  const dir = mkdtempSync(join(tmpdir(), `waymark-e2e-${prefix}-`));
  t?.after(() => {
    if (KEEP) t.diagnostic(`${prefix} folder kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Preconditions

/**
 * Fails unless the binaries are built (and new enough to have the submission commands) and a
 * Secret Service answers on this process's session bus.
 */
export async function requirements() {
  if (!copied) {
    const own = mkdtempSync(join(tmpdir(), 'waymark-e2e-bin-'));
    process.on('exit', () => rmSync(own, { recursive: true, force: true }));
    const copy = (bin, pkg) => {
      if (!existsSync(bin)) throw new Error(`${bin} is missing: build it with cargo build -p waymark-server -p waymark-assess -p waymark-cli (${pkg})`);
      const to = join(own, bin.split('/').pop());
      copyFileSync(bin, to);
      chmodSync(to, 0o755);
      return to;
    };
    const bins = [copy(SERVER, 'waymark-server'), copy(ASSESS, 'waymark-assess'), copy(CLI, 'waymark-cli')];
    const help = await run(bins[2], ['enroll', '--help']);
    if (help.code !== 0) {
      // tauri-build copies the staged binaries/waymark-<triple> (an installer's copy of the CLI)
      // over target/debug/waymark whenever waymark-app is built: build the CLI after the app.
      throw new Error(
        `${CLI} has no \`enroll\` command: an old build, or the copy tauri-build puts there from binaries/ (tauri.conf.json externalBin) when waymark-app is built. ` +
          `Build the CLI after the app: cargo build -p waymark-cli (or set WAYMARK_CLI)\n${help.stderr}`,
      );
    }
    [SERVER, ASSESS, CLI] = bins;
    copied = true;
  }
  await requireKeychain();
}
let copied = false;

/** Fails with what to do unless org.freedesktop.secrets has an owner on the session bus. */
export async function requireKeychain() {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) {
    throw new Error('no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is unset): run the submission tests with scripts/e2e.sh, which provides a keychain (dbus-run-session + gnome-keyring-daemon)');
  }
  const r = await run('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.freedesktop.secrets'], { timeout: 10_000 }).catch((e) => ({ code: -1, stdout: '', stderr: e.message }));
  if (!r.stdout.includes('boolean true')) {
    throw new Error(`no Secret Service (org.freedesktop.secrets) on the session bus ${process.env.DBUS_SESSION_BUS_ADDRESS}: run the submission tests with scripts/e2e.sh (it starts gnome-keyring-daemon --unlock); dbus-send said: ${r.stdout}${r.stderr}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The throttling proxy

/**
 * A TCP proxy on a loopback port forwarding every connection to `upstream` (port), the
 * client→server direction at most `bytesPerSecond` (all connections together; unlimited when
 * 0), counting the bytes it carried each way. Bounded: it only reacts to data; `close()`
 * destroys every connection.
 */
export async function startProxy(upstreamPort, { bytesPerSecond = 0 } = {}) {
  const sockets = new Set();
  const stats = { up: 0, down: 0, connections: 0 };
  let rate = bytesPerSecond;
  // When the link is free again (ms, performance.now()): each chunk takes len / rate of it, on
  // every connection together. No credit builds up while idle, so no burst after a quiet spell.
  let free = 0;
  const server = net.createServer((inbound) => {
    stats.connections += 1;
    const outbound = net.connect(upstreamPort, '127.0.0.1');
    sockets.add(inbound);
    sockets.add(outbound);
    const done = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', done).on('close', done);
    outbound.on('error', done).on('close', done);
    outbound.on('data', (chunk) => {
      stats.down += chunk.length;
      if (!inbound.write(chunk)) {
        outbound.pause();
        inbound.once('drain', () => outbound.resume());
      }
    });
    inbound.on('data', (chunk) => {
      stats.up += chunk.length;
      const flushed = outbound.write(chunk);
      let wait = 0;
      if (rate > 0) {
        const now = performance.now();
        free = Math.max(free, now) + (chunk.length / rate) * 1000;
        wait = free - now;
      }
      if (wait > 0 || !flushed) {
        inbound.pause();
        const resume = () => setTimeout(() => inbound.resume(), Math.min(wait, 10_000));
        if (flushed) resume();
        else outbound.once('drain', resume);
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stats,
    /** Changes the limit from now on (0: none). */
    setRate(bytes) {
      rate = bytes;
      free = 0;
    },
    /** Resets the counters. */
    reset() {
      stats.up = 0;
      stats.down = 0;
      stats.connections = 0;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The endpoint

/** Stops a child: SIGTERM, then SIGKILL after `grace` ms; resolves once it exited. */
function stopChild(child, grace = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), grace);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Children to kill if node exits without the tests' cleanup having run. */
const live = new Set();
process.on('exit', () => {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      // gone already
    }
  }
});

/**
 * Starts a fresh endpoint: `waymark-server init` in a temporary folder, its server.toml set to
 * a free loopback port (and the public URL: the proxy's when `throttle` is given, else its
 * own), `serve`, and a wait for `/ready`. Stopped when the test `t` ends.
 *
 * `throttle`: {bytesPerSecond} for a proxy in front (see startProxy); null for none.
 */
export async function startEndpoint(t, { label = 'endpoint', throttle = null } = {}) {
  const root = tempDir(t, label);
  const data = join(root, 'data');
  const identity = join(root, 'board.age');
  const init = await ok(SERVER, ['init', '--data-dir', data, '--awarding-body', AWARDING_BODY, '--public-url', 'http://127.0.0.1:1', '--listen', '127.0.0.1:1', '--identity-out', identity]);
  const token = init.stdout.match(/^(wmt1_\S+)$/m)?.[1];
  if (!token) throw new Error(`waymark-server init printed no administrator token:\n${init.stdout}`);

  mkdirSync(LOGS, { recursive: true });
  const log = join(LOGS, `${label}.log`);
  let child;
  let port;
  let proxy = null;
  let publicUrl;
  // A port found free may be taken before the server binds it: try a few.
  for (let attempt = 1; ; attempt += 1) {
    port = await freePort();
    if (throttle && !proxy) proxy = await startProxy(port, throttle);
    else if (proxy) {
      await proxy.close();
      proxy = await startProxy(port, throttle);
    }
    publicUrl = proxy ? proxy.url : `http://127.0.0.1:${port}`;
    configure(data, { listen: `127.0.0.1:${port}`, publicUrl });
    const fd = openSync(log, attempt === 1 ? 'w' : 'a');
    writeSync(fd, `\n=== waymark-server serve on 127.0.0.1:${port} (public URL ${publicUrl}), attempt ${attempt}\n`);
    child = spawn(SERVER, ['serve', '--data-dir', data], { env: childEnv(), stdio: ['ignore', fd, fd] });
    closeSync(fd);
    live.add(child);
    child.once('exit', () => live.delete(child));
    const ready = await waitReady(`http://127.0.0.1:${port}`, child, 30_000);
    if (ready === true) break;
    await stopChild(child);
    if (attempt >= 3) {
      await proxy?.close();
      throw new Error(`waymark-server did not become ready (${ready}); see ${log}:\n${tail(log)}`);
    }
  }
  const endpoint = new Endpoint({ root, data, identity, token, port, publicUrl, proxy, child, log });
  t.after(() => endpoint.stop());
  return endpoint;
}

/** Sets listen, public_url, a short shutdown grace and quieter logs in server.toml. */
function configure(data, { listen, publicUrl }) {
  const file = join(data, 'server.toml');
  let text = readFileSync(file, 'utf8');
  const set = (key, value) => {
    const re = new RegExp(`^${key} = .*$`, 'm');
    if (!re.test(text)) throw new Error(`${file} has no "${key} = …" line to set:\n${text}`);
    text = text.replace(re, `${key} = ${value}`);
  };
  set('listen', JSON.stringify(listen));
  set('public_url', JSON.stringify(publicUrl));
  set('shutdown_grace_seconds', '2');
  writeFileSync(file, text);
}

function tail(file, n = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

/** true once GET /ready answers 200; else why not (the process exited, or the time ran out). */
async function waitReady(base, child, timeout) {
  const end = Date.now() + timeout;
  let last = 'no answer';
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) return `it exited (${child.exitCode ?? child.signalCode})`;
    try {
      const r = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return true;
      last = `status ${r.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await sleep(100);
  }
  return `not ready within ${timeout / 1000} s: ${last}`;
}

/** A running endpoint and the administrator's steps. */
export class Endpoint {
  constructor(fields) {
    Object.assign(this, fields);
    /** The server's own address (not the proxy's). */
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** A JSON request; resolves {status, body}. */
  async call(method, path, { token = this.token, body } = {}) {
    const r = await fetch(`${this.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await r.text();
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: r.status, body: parsed };
  }

  async admin(method, path, body) {
    const r = await this.call(method, path, { body });
    if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Registers an institution; its one-time enrollment code and its id. */
  async addInstitution(name, urn) {
    if (!/^urn:schoolid:uk:\d{6}$/.test(urn)) throw new Error(`an institution's identifier must be urn:schoolid:uk:NNNNNN, not ${urn}`);
    const issued = await this.admin('POST', '/v1/admin/institutions', { name, identifier: urn });
    return { code: issued.code, id: accountId(issued.account), issued };
  }

  /** Registers an assessor (or moderator); their id and one-time code. */
  async addAssessor(name, email) {
    const issued = await this.admin('POST', '/v1/admin/assessors', { name, email });
    return { code: issued.code, id: accountId(issued.account), issued };
  }

  /** Assigns an assessor and a moderator to a submission (the endpoint's id). */
  async assign(submission, assessor, moderator) {
    return this.admin('POST', `/v1/admin/submissions/${submission}/assign`, { assessor, moderator });
  }

  /** The key-set chain as `waymark-server keys list` prints it: [{version, fingerprint}]. */
  async keySets() {
    const r = await ok(SERVER, ['keys', 'list', '--data-dir', this.data]);
    return [...r.stdout.matchAll(/^key set (\d+)\s+fingerprint (\S+)/gm)].map((m) => ({ version: Number(m[1]), fingerprint: m[2] }));
  }

  /** GET /v1/key-sets (the published chain, JSON). */
  async publishedKeySets() {
    const r = await this.call('GET', '/v1/key-sets', { token: null });
    if (r.status !== 200) throw new Error(`GET /v1/key-sets: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Checks a saved receipt offline with `waymark-server verify-receipt`; its output. */
  async verifyReceipt(file, fingerprint) {
    const sets = join(this.root, `key-sets-${Date.now()}.json`);
    writeFileSync(sets, JSON.stringify(await this.publishedKeySets()));
    return ok(SERVER, ['verify-receipt', '--key-sets', sets, '--fingerprint', fingerprint, file]);
  }

  /** Rows of the server's uploads table (metadata store, read-only): the tus uploads and offsets. */
  async uploads() {
    const db = join(this.data, 'meta.sqlite');
    const r = await ok('sqlite3', ['-readonly', '-json', db, 'SELECT id, institution, upload_length, received, state FROM uploads ORDER BY created_at'], { timeout: 20_000 });
    return r.stdout.trim() ? JSON.parse(r.stdout) : [];
  }

  /** An assessor (or moderator) signed in with `waymark-assess` in a settings folder of their own. */
  async assessor(t, name, email) {
    const { id, code } = await this.addAssessor(name, email);
    const person = new Assessor({ id, name, email, dir: tempDir(t, `assessor-${email.split('@')[0]}`) });
    await person.signIn(code);
    return person;
  }

  async stop() {
    if (this.child) {
      await stopChild(this.child);
      this.child = null;
    }
    await this.proxy?.close();
  }
}

function accountId(account) {
  // {"kind": "institution" | "assessor", "id": …, …}
  if (typeof account?.id !== 'string') throw new Error(`no id in the issued account ${JSON.stringify(account)}`);
  return account.id;
}

// ---------------------------------------------------------------------------------------------
// Assessors

/** One person's `waymark-assess`: their settings folder, credentials in the keychain. */
export class Assessor {
  constructor({ id, name, email, dir }) {
    Object.assign(this, { id, name, email, dir });
    this.profile = join(dir, 'profile');
  }

  cli(args, opts) {
    return ok(ASSESS, ['--profile-dir', this.profile, ...args], opts);
  }

  /** Signs in with the code (read from stdin, as the tool allows). */
  signIn(code) {
    return this.cli(['sign-in', '-'], { input: `${code}\n` });
  }

  /** The submissions assigned to them (the table it prints). */
  async list() {
    return (await this.cli(['list'])).stdout;
  }

  /**
   * Downloads, verifies and decrypts a submission into a new folder; {out, stdout, manifest}
   * (manifest.json parsed when it is there).
   */
  async open(submission, label) {
    const out = join(this.dir, label);
    const r = await this.cli(['open', submission, '--out', out]);
    const file = join(out, 'manifest.json');
    return { out, stdout: r.stdout, manifest: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null };
  }

  /** Asks for more evidence: `benchmarks` = {id: what is missing}. */
  requestEvidence(submission, message, benchmarks) {
    const args = ['request-evidence', submission, '--message', message];
    for (const [id, text] of Object.entries(benchmarks)) args.push('--benchmark', `${id}=${text}`);
    return this.cli(args);
  }

  recommend(submission, { strengths, development, notes }) {
    return this.cli(['recommend', submission, '--outcome', 'award', '--strengths', strengths, '--development', development, ...(notes ? ['--notes', notes] : [])]);
  }

  confirm(submission) {
    return this.cli(['moderate', submission, '--confirm']);
  }
}

// ---------------------------------------------------------------------------------------------
// The school

/** Runs the school's `waymark` CLI on a data folder (as LEAD); `json` parses its answer. */
export async function waymark(dataDir, args, { json = false, timeout } = {}) {
  const all = ['--data-dir', dataDir, '--as', LEAD, ...(json ? ['--json'] : []), ...args];
  const r = await ok(CLI, all, { timeout });
  return json ? JSON.parse(r.stdout) : r.stdout;
}

/**
 * Writes `len` deterministic, incompressible bytes (AES-256-CTR of zeros, keyed by `seed`):
 * compression cannot make an upload look smaller than it is.
 */
export function writeNoise(path, seed, len) {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  const fd = openSync(path, 'w');
  try {
    const block = Buffer.alloc(1 << 20);
    for (let left = len; left > 0; left -= block.length) {
      writeSync(fd, cipher.update(left >= block.length ? block : block.subarray(0, left)));
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * Makes `dataDir` (the app's data folder, before the app starts) a school that can apply for
 * the Technology Mark, as crates/harness/src/school.rs does through the core: registered for the
 * Technology Self-Review with a URN, every aspect at its most mature level with commentary,
 * every required evidence item met by its own file in `filesDir` (the first a photo flagged as
 * showing pupils' personal data), three future actions and a working group of two.
 * `bigFile`: {name, bytes, benchmark} adds one large evidence file too (for the upload tests).
 *
 * Returns {benchmarks: [{id, title}], top, items: [{id, path, name, requirement}], photo, big}.
 */
export async function makeEligibleSchool(dataDir, filesDir, { name, urn, bigFile = null } = {}) {
  const def = await waymark(dataDir, ['frameworks', 'show', FRAMEWORK], { json: true });
  const benchmarks = def.dimensions.flatMap((d) => [...d.benchmarks, ...(d.groups ?? []).flatMap((g) => g.benchmarks)]);
  const values = def.scale.levels.map((l) => l.value);
  const top = def.scale.direction === 'ascending' ? Math.max(...values) : Math.min(...values);
  const identifier = urn.split(':').pop();
  await waymark(dataDir, ['init', '--framework', FRAMEWORK, '--institution', name, '--identifier', identifier, '--contact', LEAD, '--email', 'head@llanfair.example', '--phase', 'primary']);
  for (const b of benchmarks) {
    await waymark(dataDir, ['set', b.id, '--level', String(top), '--commentary', `${b.id}: how we meet this aspect, with the evidence attached.`]);
  }
  const requirements = benchmarks.flatMap((b) => (b.evidence ?? []).filter((e) => e.required).map((e) => ({ benchmark: b.id, id: e.id })));
  const items = [];
  for (const [n, r] of requirements.entries()) {
    const fileName = n === 0 ? 'Year 6 coding club.jpg' : `${r.id}.pdf`;
    const path = writeNoise(join(filesDir, fileName), r.id, 20_000 + 997 * n);
    const added = await waymark(dataDir, ['evidence', 'add', path, '--requirement', r.id], { json: true });
    const item = added.added[0];
    if (!item) throw new Error(`waymark evidence add ${path} added nothing: ${JSON.stringify(added)}`);
    items.push({ id: item.id, path, name: fileName, requirement: r.id, benchmark: r.benchmark, size: item.size });
  }
  const photo = items[0];
  await waymark(dataDir, ['evidence', 'describe', photo.id, '--title', 'Coding club photo', '--personal-data']);
  photo.title = 'Coding club photo';
  let big = null;
  if (bigFile) {
    const path = writeNoise(join(filesDir, bigFile.name), bigFile.name, bigFile.bytes);
    const added = await waymark(dataDir, ['evidence', 'add', path, '--benchmark', bigFile.benchmark ?? benchmarks[0].id], { json: true });
    big = { id: added.added[0].id, path, name: bigFile.name, size: bigFile.bytes };
  }
  for (const [n, text] of ['Refresh the technology vision with governors', 'Train staff on the new assessment platform', 'Audit accessibility settings on every device'].entries()) {
    await waymark(dataDir, ['actions', 'add', text, '--owner', LEAD, '--due', `2027-0${n + 3}-15`, '--benchmark', benchmarks[n].id]);
  }
  await waymark(dataDir, ['group', 'add', LEAD, '--role', 'Headteacher']);
  await waymark(dataDir, ['group', 'add', 'Mr Dafydd Evans', '--role', 'Computing lead']);
  const status = await waymark(dataDir, ['status'], { json: true });
  const mark = status.progress.awards.find((a) => a.id === AWARD);
  if (!mark?.eligible) throw new Error(`the school must be eligible for ${AWARD}: ${JSON.stringify(mark)}`);
  return { benchmarks: benchmarks.map((b) => ({ id: b.id, title: b.title })), levels: def.scale.levels, top, items, photo, big };
}
