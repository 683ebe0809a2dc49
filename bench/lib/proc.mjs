// Process figures read from /proc (Linux), for processes the bench does not run in.
import { readdirSync, readFileSync } from 'node:fs';

function statusField(pid, field) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The process's peak resident set size (VmHWM), bytes. */
export const peakRssBytes = (pid) => statusField(pid, 'VmHWM');
export const rssBytes = (pid) => statusField(pid, 'VmRSS');

/**
 * The fields of `/proc/<path>/stat` after the command name (which may hold spaces and parentheses):
 * `fields[0]` is stat's field 3, the state. Null when the process ended before it was read.
 */
export function statFields(path) {
  try {
    const stat = readFileSync(`/proc/${path}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU time (user + system) the process has used, milliseconds. */
export function cpuMs(pid) {
  const fields = statFields(pid);
  // utime and stime are fields 14 and 15 of stat, in ticks of 1/100 s.
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 : null;
}

/** Pids of the live processes whose stat fields `keep` accepts. */
function processesWhere(keep) {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const fields = statFields(name);
    if (fields && keep(fields)) found.push(Number(name));
  }
  return found;
}

/** Pids of live processes in process group `pgid` (zombies excluded); pgrp is stat's field 5. */
export const processesInGroup = (pgid) => processesWhere((fields) => Number(fields[2]) === pgid && fields[0] !== 'Z');

/** Children of `pid` (direct); ppid is stat's field 4. */
export const childrenOf = (pid) => processesWhere((fields) => Number(fields[1]) === pid);
