import { readFileSync } from 'node:fs';

export interface OsUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

/** The passwd entry of `name`, or null when there is none. */
export function lookupOsUser(name: string, passwd = '/etc/passwd'): OsUser | null {
  let text: string;
  try {
    text = readFileSync(passwd, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const [user, , uid, gid, , home] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) {
      return { name, uid: Number(uid), gid: Number(gid), home: home || '/' };
    }
  }
  return null;
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}
