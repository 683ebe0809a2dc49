import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The Trino the testkit runs. 476 is the last trino-server published to Maven Central and the
 * one the build machines can fetch (435, which runs on Java 17, is not served there); it needs
 * Java 24 or newer.
 */
export const TRINO_VERSION = '476';
export const TRINO_MIN_JAVA = 24;

export interface TrinoToolchain {
  /** A JDK/JRE home whose major version is at least TRINO_MIN_JAVA. */
  javaHome: string;
  javaVersion: number;
  /** `mvn` (absolute path), used once to fetch the server tarball into the local Maven repository. */
  mvn: string;
}

/** Why the toolchain is missing, in words a person can act on; undefined when it is all there. */
export type ToolchainProblem = string;

function majorOf(home: string): number | undefined {
  const release = join(home, 'release');
  if (!existsSync(join(home, 'bin', 'java')) || !existsSync(release)) return undefined;
  const match = /^JAVA_VERSION="(\d+)/m.exec(readFileSync(release, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

/** $TRINO_JAVA_HOME, then $JAVA_HOME, then the newest JDK under /usr/lib/jvm that is new enough. */
export function findJava(env: NodeJS.ProcessEnv = process.env): { home: string; version: number } | ToolchainProblem {
  const candidates: string[] = [];
  for (const name of ['TRINO_JAVA_HOME', 'JAVA_HOME'] as const) {
    const value = env[name];
    if (value) candidates.push(value);
  }
  const jvmRoot = '/usr/lib/jvm';
  if (existsSync(jvmRoot)) {
    for (const name of readdirSync(jvmRoot)) candidates.push(join(jvmRoot, name));
  }
  const usable = candidates
    .map((home) => ({ home, version: majorOf(home) }))
    .filter((c): c is { home: string; version: number } => c.version !== undefined && c.version >= TRINO_MIN_JAVA);
  if (env.TRINO_JAVA_HOME && usable[0]?.home === env.TRINO_JAVA_HOME) return usable[0];
  const best = usable.sort((a, b) => b.version - a.version)[0];
  if (best) return best;
  return (
    `Trino ${TRINO_VERSION} needs Java ${TRINO_MIN_JAVA} or newer, and none was found ` +
    `(looked at $TRINO_JAVA_HOME, $JAVA_HOME and ${jvmRoot}/*). Install a JDK ${TRINO_MIN_JAVA}+ ` +
    '(e.g. Temurin 25) and/or set TRINO_JAVA_HOME to it.'
  );
}

export function findMaven(env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'mvn'))) return join(dir, 'mvn');
  }
  return undefined;
}

/** Java and Maven for the throwaway Trino, or the reason they cannot be had. */
export function trinoToolchain(env: NodeJS.ProcessEnv = process.env): TrinoToolchain | ToolchainProblem {
  const java = findJava(env);
  if (typeof java === 'string') return java;
  const mvn = findMaven(env);
  if (!mvn) {
    return 'Maven (`mvn`) is not on PATH: it fetches the Trino server once. Install it with `apt-get install -y maven`.';
  }
  const probe = spawnSync(join(java.home, 'bin', 'java'), ['-version'], { encoding: 'utf8' });
  if (probe.status !== 0) return `${join(java.home, 'bin', 'java')} -version failed: ${probe.stderr.trim()}`;
  return { javaHome: java.home, javaVersion: java.version, mvn };
}
