import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelRefError } from '../../src/core/model/errors/ModelRefError';
import {
    ContextOverflowError, LoraAdapterError, ModelDownloadError, ModelFileError, NoModelLoadedError, RuntimeStoppedError, SamplingOptionsError,
} from '../../src/shared/errors';
import { reviveError, serializeError } from '../../src/shared/errors/serializeError';
import { describeLoadFailure, describeRunFailure, FailureAction } from '../../src/vscode/failureMessages';

test('a bad model file names the file and offers to choose another', () => {
    const failure = describeLoadFailure(new ModelFileError('/m/bad.gguf', 'not a GGUF file', 'Choose a .gguf file.'), 'bad.gguf');
    assert.match(failure.message, /^Promptscope: Cannot use model file \/m\/bad\.gguf: not a GGUF file/);
    assert.deepEqual(failure.actions, [FailureAction.chooseModel, FailureAction.openSettings, FailureAction.showLogs]);
});

test('an offline download points at a local file', () => {
    const failure = describeLoadFailure(new ModelDownloadError('hf:o/r:Q4_K_M', 'offline'), 'r:Q4_K_M');
    assert.match(failure.message, /path of a local \.gguf file/);
    assert.equal(failure.actions[0], FailureAction.chooseModel);
});

test('a host crash while loading says so and offers the logs first', () => {
    const failure = describeLoadFailure(new RuntimeStoppedError('aborted (exit code 134): GGML_ASSERT'), 'bad.gguf');
    assert.match(failure.message, /runtime stopped while loading bad\.gguf \(aborted \(exit code 134\): GGML_ASSERT\)/);
    assert.equal(failure.actions[0], FailureAction.showLogs);
});

test('adapter and setting problems point at the settings', () => {
    assert.match(describeLoadFailure(new LoraAdapterError('/a.gguf', 'built for another model'), 'm').message, /promptscope\.lora/);
    assert.deepEqual(describeLoadFailure(new ModelRefError('x.gguf', 'promptscope.model', 'relative'), 'x').actions,
        [FailureAction.openSettings, FailureAction.chooseModel]);
});

test('unknown errors and non-errors still produce a message', () => {
    assert.equal(describeLoadFailure(new Error('boom'), 'm.gguf').message, 'Promptscope: could not load m.gguf: boom');
    assert.equal(describeLoadFailure('boom', 'm.gguf').message, 'Promptscope: could not load m.gguf: boom');
});

test('run failures', () => {
    assert.match(describeRunFailure(new RuntimeStoppedError('killed by SIGKILL')).message, /\(killed by SIGKILL\)\. The next command restarts it/);
    assert.match(describeRunFailure(new ContextOverflowError(5000, 4096)).message, /promptscope\.contextSize/);
    assert.deepEqual(describeRunFailure(new SamplingOptionsError('topP', 2, '(0, 1]')).actions, []);
    assert.equal(describeRunFailure(new NoModelLoadedError()).actions[0], FailureAction.chooseModel);
});

test('errors are told apart by class, as revived from the runtime channel, never by name or message alone', () => {
    const revived = reviveError(serializeError(new ModelFileError('/m/bad.gguf', 'not a GGUF file', 'Choose a .gguf file.')));
    assert.deepEqual(describeLoadFailure(revived, 'bad.gguf').actions, [FailureAction.chooseModel, FailureAction.openSettings, FailureAction.showLogs]);
    const stopped = reviveError(serializeError(new RuntimeStoppedError('killed by SIGKILL')));
    assert.match(describeRunFailure(stopped).message, /the runtime stopped \(killed by SIGKILL\)/);

    const impostor = Object.assign(new Error('runtime stopped: killed'), { name: 'RuntimeStoppedError', reason: 'killed' });
    assert.equal(describeRunFailure(impostor).message, 'Promptscope: runtime stopped: killed');
    assert.deepEqual(describeRunFailure(impostor).actions, [FailureAction.showLogs]);
});
