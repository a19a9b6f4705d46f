import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeExit } from '../../src/runtime/client/describeExit';

test('signals and exit codes read as reasons', () => {
    assert.equal(describeExit(null, 'SIGKILL', []), 'killed by SIGKILL');
    assert.equal(describeExit(1, null, []), 'exited with code 1');
    assert.equal(describeExit(137, null, []), 'exited with code 137 (killed, often for running out of memory)');
    assert.equal(describeExit(null, 'SIGSEGV', ['x', 'Segmentation fault in ggml_compute']), 'crashed by SIGSEGV (Segmentation fault in ggml_compute)');
});

test('an abort quotes the assertion line, not the noise after it', () => {
    const lines = ['llama_model_loader: loaded meta data', '/src/llama-model.cpp:2045: GGML_ASSERT(t_meta.ne[dim] >= 1) failed', 'Aborted'];
    assert.equal(describeExit(134, null, lines), 'exited with code 134 (abort: /src/llama-model.cpp:2045: GGML_ASSERT(t_meta.ne[dim] >= 1) failed)');
    assert.equal(describeExit(null, 'SIGABRT', lines), 'killed by SIGABRT (abort: /src/llama-model.cpp:2045: GGML_ASSERT(t_meta.ne[dim] >= 1) failed)');
    assert.equal(describeExit(null, 'SIGABRT', []), 'killed by SIGABRT (abort)');
});
