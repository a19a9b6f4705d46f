// Save as .prompt round trip on the fixture model: a playground run (sampled, locked seed, LoRA at scale 0.5) and the
// saved file prepared by core preparePrompt and run again give the same output.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PromptDocument } from '../../src/core/prompt/PromptDocument';
import { preparePrompt } from '../../src/core/prompt/preparePrompt';
import { writePromptFile } from '../../src/core/prompt/promptFile';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { buildRequest } from '../../src/core/panels/playground/buildRequest';
import { addAdapterRow, applyPreset, defaultForm, withAdapters } from '../../src/core/panels/playground/form';
import { fixtureLoraPath, fixtureModelPath } from '../support/fixtures';
import { newClient } from './helpers';

describe('playground Save as .prompt', () => {
    let client: RuntimeClient;
    let model: string;
    let adapter: string;

    before(async () => {
        [model, adapter] = await Promise.all([fixtureModelPath(), fixtureLoraPath()]);
        ({ client } = newClient());
        await client.loadModel({ model, gpu: 'off', threads: 1 });
    });

    after(async () => {
        await client.dispose();
    });

    test('running the saved file gives the same output for the same seed', async () => {
        const base = applyPreset(defaultForm(), 'creative');
        const form = withAdapters({
            ...base, system: 'You tell {{short}} stories.', user: 'Once upon a time',
            sampling: { ...base.sampling, seed: '1234', seedLocked: true, maxTokens: '12' },
        }, model, rows => addAdapterRow(rows, adapter).map(r => ({ ...r, scale: 0.5 })));
        const built = buildRequest(form, model);
        assert.ok(built.ok && built.run.mode === 'chat');
        const run = built.run;
        const first = await client.chat({ messages: run.messages, sampling: run.sampling, lora: run.lora! });

        const prepared = await preparePrompt(PromptDocument.fromText(writePromptFile({ messages: run.messages, sampling: run.sampling, lora: run.lora }), '/tmp/saved.prompt'));
        const second = await client.chat({ messages: prepared.messages, sampling: prepared.sampling, lora: prepared.lora });
        assert.ok(first.tokens.length > 0);
        assert.equal(second.seed, 1234);
        assert.deepEqual(second.tokens, first.tokens);
        assert.equal(second.text, first.text);
    });
});
