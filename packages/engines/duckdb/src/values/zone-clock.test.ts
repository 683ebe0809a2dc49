import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ZoneClock } from './zone-clock.js';

const JAN_2024 = Date.UTC(2024, 0, 15, 12);
const JUL_2024 = Date.UTC(2024, 6, 15, 12);

/** Runs `fn` with Intl.DateTimeFormat counting its constructions; returns how many there were. */
function countingDateTimeFormats(fn: () => void): number {
  const real = Intl.DateTimeFormat;
  let made = 0;
  Intl.DateTimeFormat = new Proxy(real, {
    construct(target, args: ConstructorParameters<typeof Intl.DateTimeFormat>) {
      made++;
      return new target(...args);
    },
  });
  try {
    fn();
  } finally {
    Intl.DateTimeFormat = real;
  }
  return made;
}

describe('ZoneClock', () => {
  test('UTC under any of its names is offset zero, read without an Intl object', () => {
    const made = countingDateTimeFormats(() => {
      for (const name of ['Etc/UTC', 'UTC', 'utc', 'GMT', 'Etc/GMT+0', 'Zulu', 'Etc/Universal']) {
        const clock = ZoneClock.of(name);
        assert.ok(clock, name);
        assert.equal(clock.timeZone, name);
        for (const at of [JAN_2024, JUL_2024, -8.64e15, 8.64e15, -62_135_596_800_000]) {
          assert.equal(clock.offsetSeconds(at), 0, `${name} at ${at}`);
        }
      }
    });
    assert.equal(made, 0);
  });

  test('another zone takes its offsets, summer time included, from ICU', () => {
    const newYork = ZoneClock.of('America/New_York');
    assert.ok(newYork);
    assert.equal(newYork.offsetSeconds(JAN_2024), -5 * 3600);
    assert.equal(newYork.offsetSeconds(JUL_2024), -4 * 3600);
    assert.equal(ZoneClock.of('Asia/Kolkata')?.offsetSeconds(JAN_2024), 5.5 * 3600);
    assert.equal(ZoneClock.of('Not/AZone'), null);
  });

  test("loading the engine makes no Intl object (ICU's data load stays off the start-up path)", async () => {
    // A fresh process: this one has loaded ICU's data already, and the engine's modules are cached.
    const engine = fileURLToPath(new URL('../index.js', import.meta.url));
    const script = [
      'let made = 0;',
      'const real = Intl.DateTimeFormat;',
      'Intl.DateTimeFormat = new Proxy(real, { construct(t, a) { made++; return Reflect.construct(t, a); } });',
      `await import(${JSON.stringify(engine)});`,
      'process.stdout.write(String(made));',
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    assert.equal(stdout, '0');
  });
});
