import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { EngineConnError } from '@engineconn/core';
import { ENGINE_NAMES, loadEngine } from './registry.js';

describe('engine registry', () => {
  test('an unknown engine is EC_UNKNOWN_ENGINE listing the known names', async () => {
    await assert.rejects(loadEngine('oracle'), (err: unknown) => {
      return (
        err instanceof EngineConnError &&
        err.code === 'EC_UNKNOWN_ENGINE' &&
        ENGINE_NAMES.every((name) => err.message.includes(name))
      );
    });
  });

  test('names that are object prototype keys are unknown, not crashes', async () => {
    await assert.rejects(loadEngine('constructor'), /Unknown engine/);
  });

  test('a module path whose default export is a plugin loads', async () => {
    const path = createRequire(import.meta.url)
      .resolve('@engineconn/testkit')
      .replace(/index\.js$/, 'test-engine.js');
    const plugin = await loadEngine(path);
    assert.equal(plugin.name, 'test');
  });

  test('a module without a default plugin export fails clearly', async () => {
    const path = createRequire(import.meta.url).resolve('@engineconn/testkit');
    await assert.rejects(loadEngine(path), /does not export an engine plugin as its default export/);
  });

  test('a missing module fails with EC_ENGINE_START_FAILED', async () => {
    await assert.rejects(loadEngine('./no/such/engine.js'), (err: unknown) => {
      return err instanceof EngineConnError && err.code === 'EC_ENGINE_START_FAILED' && /Cannot load/.test(err.message);
    });
  });
});
