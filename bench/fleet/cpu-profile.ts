/**
 * A summary of the workers' CPU profiles (Node's `--cpu-prof`: one .cpuprofile per thread — the main thread runs
 * activities, the codec, logging and the SDK's bridge to Temporal Core; the workflow thread runs the workflow bundle)
 * over a window of time: self time by function and by where the code comes from, per onboarding.
 *
 * A profile's sample times are V8's monotonic clock in microseconds, the clock `process.hrtime` reads in every
 * process on the machine, so the bench's own hrtime marks the window. Functions of the workflow bundle are named by
 * the module the bundle's line falls in (webpack writes each module under a header line naming it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfiledFunction {
  name: string;
  where: string;
  category: string;
  selfMs: number;
  msPerOnboarding: number;
}

export interface ProfileSummary {
  onboardings: number;
  /** The window, in V8's monotonic microseconds (to summarise the kept profiles again: --keep-data). */
  fromUs: number;
  toUs: number;
  windowSeconds: number;
  /** Sampled CPU of every profiled thread in the window (idle excluded), per onboarding. */
  busyMsPerOnboarding: number;
  /** By thread: `main` and `workflow` (the SDK's workflow thread). */
  threads: Record<string, number>;
  /** Self time by thread and where the code comes from, per onboarding, largest first. */
  categories: { category: string; msPerOnboarding: number; share: number }[];
  top: ProfiledFunction[];
}

/** Where a frame's code comes from: the project's own code, a package, Node, V8's own work (`bundleModule`: in the workflow bundle). */
function categoryOf(frame: CallFrame, bundleModule?: string): string {
  const { functionName, url } = frame;
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || !url) return 'native (V8, Node, Temporal Core)';
  if (url.startsWith('evalmachine')) return 'Temporal SDK';
  const where = bundleModule ?? url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where)?.[1];
  if (pkg?.startsWith('@temporalio/')) return 'Temporal SDK';
  if (pkg === 'pino' || pkg?.startsWith('pino-') || where.includes('/src/logging')) return 'logging';
  if (pkg === 'undici') return 'HTTP client (undici)';
  if (pkg === 'tsx' || pkg === 'esbuild' || pkg === 'get-tsconfig') return 'tsx loader';
  if (pkg) return pkg;
  if (where.includes('/src/codec/') || where.includes('failure-converter')) return 'codec';
  if (where.includes('/src/workflows/')) return 'workflow code';
  if (where.includes('/src/activities/')) return 'activities';
  if (where.includes('/src/vobiz/')) return 'Vobiz client';
  if (where.includes('/src/')) return 'project, other';
  if (url.startsWith('node:')) return 'Node internals';
  return 'other';
}

/** The bundle's module headers (webpack's `"./src/x.ts":` lines), by line, to name the module a line of the bundle is in. */
function bundleModules(bundlePath: string): { line: number; module: string }[] {
  const lines = readFileSync(bundlePath, 'utf8').split('\n');
  const modules: { line: number; module: string }[] = [];
  lines.forEach((text, i) => {
    const match = /^\/\*{3}\/ "([^"]+)"/.exec(text);
    if (match) modules.push({ line: i, module: match[1]! });
  });
  return modules;
}

function moduleAt(modules: readonly { line: number; module: string }[], line: number): string | undefined {
  let lo = 0;
  let hi = modules.length - 1;
  let found: string | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (modules[mid]!.line <= line) {
      found = modules[mid]!.module;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

const shortWhere = (where: string, line: number) => `${where.replace(`file://${PROJECT_ROOT}/`, '').replace(`${PROJECT_ROOT}/`, '').replace(/^.*node_modules\//, '')}:${line + 1}`;

/**
 * Summarises every .cpuprofile in `dir` over [fromUs, toUs] (monotonic microseconds), per onboarding. `bundlePath`
 * is the workflow bundle the workers ran, to name its modules.
 */
export function summarizeProfiles(dir: string, fromUs: number, toUs: number, onboardings: number, bundlePath: string, top = 20): ProfileSummary {
  const modules = bundleModules(bundlePath);
  const bySelf = new Map<string, { name: string; where: string; category: string; us: number }>();
  const byCategory = new Map<string, number>();
  const threads: Record<string, number> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread.
    const thread = file.split('.')[4] === '0' ? 'main' : 'workflow';
    let at = profile.startTime;
    for (let i = 0; i < profile.samples.length; i++) {
      at += profile.timeDeltas[i] ?? 0;
      // A sample stands for the time until the next one.
      const us = profile.timeDeltas[i + 1] ?? 0;
      if (at < fromUs || at > toUs) continue;
      const frame = frames.get(profile.samples[i]!);
      if (!frame || frame.functionName === '(idle)') continue;
      const inBundle = frame.url.endsWith(bundlePath) ? moduleAt(modules, frame.lineNumber) : undefined;
      const category = `${thread}: ${categoryOf(frame, inBundle)}`;
      const where = inBundle ? shortWhere(inBundle.replace(/^\.\//, ''), frame.lineNumber) : frame.url ? shortWhere(frame.url, frame.lineNumber) : '';
      const name = frame.functionName || '(anonymous)';
      const key = `${thread} ${name} ${where}`;
      const entry = bySelf.get(key) ?? { name, where: `${thread}: ${where}`, category, us: 0 };
      entry.us += us;
      bySelf.set(key, entry);
      byCategory.set(category, (byCategory.get(category) ?? 0) + us);
      threads[thread] = (threads[thread] ?? 0) + us;
    }
  }
  const perOnboarding = (us: number) => us / 1000 / onboardings;
  const busyUs = [...byCategory.values()].reduce((a, b) => a + b, 0);
  return {
    onboardings,
    fromUs,
    toUs,
    windowSeconds: (toUs - fromUs) / 1e6,
    busyMsPerOnboarding: perOnboarding(busyUs),
    threads: Object.fromEntries(Object.entries(threads).map(([t, us]) => [t, perOnboarding(us)])),
    categories: [...byCategory]
      .sort((a, b) => b[1] - a[1])
      .map(([category, us]) => ({ category, msPerOnboarding: perOnboarding(us), share: busyUs ? us / busyUs : 0 })),
    top: [...bySelf.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map((f) => ({ name: f.name, where: f.where, category: f.category, selfMs: f.us / 1000, msPerOnboarding: perOnboarding(f.us) })),
  };
}
