// core checkGbnf against the runtime's parser (llama.cpp through node-llama-cpp) on the fixture model: what the
// playground accepts before a run the runtime accepts, and what it refuses the runtime refuses too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGbnf, formatGbnfProblem } from '../../src/core/grammar/checkGbnf';
import type { RuntimeClient } from '../../src/runtime/client/RuntimeClient';
import { GrammarError } from '../../src/shared/errors';
import { fixtureModelPath } from '../support/fixtures';
import { acceptedGrammars, rejectedGrammars } from '../support/gbnfSamples';
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

    test('left recursion passes the checker and is left to the runtime, which reports it', async () => {
        const grammar = 'root ::= root "a" | "b"';
        assert.ok(checkGbnf(grammar).ok);
        await assert.rejects(client.complete({ prompt: 'Answer:', sampling: { ...greedy, maxTokens: 4, grammar } }), GrammarError);
    });
});
