import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { BusyError, EngineConnError, isEngineConnError } from '../index.js';

type ProtocolConstants = typeof import('@engineconn/protocol/constants');

// A second copy of the protocol package, as an engine loaded from a module path brings its own.
describe('errors of another copy of the package', () => {
  let dir: string;
  let other: ProtocolConstants;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ec-error-copy-'));
    const dist = new URL('../../../protocol/dist/', import.meta.url);
    cpSync(dist, join(dir, 'dist'), { recursive: true });
    other = (await import(pathToFileURL(join(dir, 'dist/constants.js')).href)) as ProtocolConstants;
    assert.notEqual(other.EngineConnError, EngineConnError, 'the copy is a distinct class');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('are instances of EngineConnError, with their code and status', () => {
    const err: unknown = new other.EngineConnError('EC_LOCK_NOT_FOUND', 'no such lock');
    assert.ok(err instanceof EngineConnError);
    assert.ok(isEngineConnError(err));
    assert.equal(EngineConnError.from(err), err, 'from() keeps it instead of wrapping it as EC_INTERNAL');
    assert.equal(EngineConnError.from(err).status, 404);
    // And the other way round: the copy recognises ours.
    assert.ok(new BusyError('full') instanceof other.EngineConnError);
  });

  test('a subclass still tests by class, and a look-alike without the brand is not one', () => {
    assert.ok(!(new EngineConnError('EC_BUSY', 'full') instanceof BusyError));
    assert.ok(new BusyError('full') instanceof BusyError);
    const lookAlike = Object.assign(new Error('x'), { code: 'EC_BUSY', status: 409 });
    assert.ok(!(lookAlike instanceof EngineConnError));
    // A plain Error carrying a known code still keeps it when wrapped.
    assert.equal(EngineConnError.from(lookAlike).code, 'EC_BUSY');
  });
});
