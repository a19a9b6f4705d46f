// core checkGbnf against the runtime's parser (llama.cpp through node-llama-cpp) on the fixture model: what the
// playground accepts before a run the runtime accepts, and what it refuses the runtime refuses too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGbnf, formatGbnfProblem } from '../../src/core/grammar/checkGbnf';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { GrammarError } from '../../src/shared/errors';
import { fixtureModelPath } from '../support/fixtures';
import { acceptedGrammars, leftRecursiveGrammars, rejectedGrammars } from '../support/gbnfSamples';
import { greedy, newClient } from './helpers';

describe('GBNF checker agrees with the runtime', () => {
    let client: RuntimeClient;

    before(async () => {
        ({ client } = newClient());
        await client.loadModel({ model: await fixtureModelPath(), gpu: 'off' });
    });

    after(async () => {
        await client.dispose();
    });

    test('grammars the checker accepts run under sampling.grammar', async () => {
        for (const grammar of acceptedGrammars) {
            const check = checkGbnf(grammar);
            assert.ok(check.ok, check.ok ? '' : formatGbnfProblem(check));
            // Resolves (a grammar llama.cpp cannot parse rejects with a GrammarError).
            await client.complete({ prompt: 'Answer:', sampling: { ...greedy, maxTokens: 4, grammar } });
        }
    });

    test('grammars the checker rejects are GrammarErrors in the runtime', async () => {
        for (const grammar of rejectedGrammars) {
            assert.equal(checkGbnf(grammar).ok, false, grammar);
            await assert.rejects(client.complete({ prompt: 'Answer:', sampling: { ...greedy, maxTokens: 4, grammar } }), GrammarError, grammar);
        }
    });

    test('left recursion: the checker finds it where llama.cpp does, before a model would load', async () => {
        for (const grammar of leftRecursiveGrammars) {
            const check = checkGbnf(grammar);
            assert.equal(check.ok, false, grammar);
            assert.match(check.ok ? '' : check.message, /^left recursion: /, grammar);
            await assert.rejects(client.complete({ prompt: 'Answer:', sampling: { ...greedy, maxTokens: 4, grammar } }), GrammarError, grammar);
        }
    });
});
