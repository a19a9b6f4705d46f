import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnswerSettingsError } from '../../src/core/reasoning/errors/AnswerSettingsError';
import { extractChoice } from '../../src/core/reasoning/extractAnswer';
import { answerHandlingFor, runSelfConsistency, type GeneratedPath, type GeneratePathsRequest, type PathGenerator } from '../../src/core/reasoning/selfConsistency';
import { maxSamplePaths } from '../../src/shared/limits';

/** Returns the scripted paths (as many as asked, cycling) and remembers each request. */
function fake(texts: (string | GeneratedPath)[]): PathGenerator & { requests: GeneratePathsRequest[] } {
    const requests: GeneratePathsRequest[] = [];
    return {
        requests,
        async generate(request) {
            requests.push(request);
            return Array.from({ length: request.n }, (_, i) => {
                const item = texts[i % texts.length]!;
                return typeof item === 'string' ? { text: item, seed: i } : item;
            });
        },
    };
}

test('defaults: 5 paths at temperature 0.7, last number, folded answers, majority', async () => {
    const generator = fake(['So 3 + 4 = 7. The answer is 7.', 'It is 1,007... no: 7', 'Answer: 8', 'the answer is $7.00', 'I cannot tell']);
    const result = await runSelfConsistency(generator);
    assert.deepEqual(generator.requests, [{ n: 5, temperature: 0.7, seed: undefined }]);
    assert.equal(result.answer, '7');
    assert.deepEqual(result.votes, { 7: 3, 8: 1 });
    assert.equal(result.agreement, 3 / 5);
    assert.equal(result.unmapped, 1);
    assert.equal(result.tie, false);
    assert.deepEqual(result.paths.map(p => p.rawAnswer), ['7', '7', '8', '7', undefined]);
    assert.deepEqual(result.paths.map(p => p.seed), [0, 1, 2, 3, 4]);
    assert.equal(result.samples, 5);
    assert.equal(result.temperature, 0.7);
});

test('labels through the front matter answer settings; unmapped kept and counted', async () => {
    const handling = answerHandlingFor({ extractor: 'marker', marker: 'Sentiment:', labels: { positive: ['good', 'great'], negative: ['bad'] } });
    const result = await runSelfConsistency(fake(['Sentiment: Great!', 'Sentiment: bad.', 'Sentiment: good', 'Sentiment: meh', 'no marker']), { ...handling, samples: 5, seed: 9 });
    assert.equal(result.answer, 'positive');
    assert.deepEqual(result.votes, { positive: 2, negative: 1 });
    assert.equal(result.unmapped, 2);
    assert.deepEqual(result.paths.map(p => p.answer), ['positive', 'negative', 'positive', undefined, undefined]);
    assert.deepEqual(result.paths.map(p => p.rawAnswer), ['Great!', 'bad', 'good', 'meh', undefined]);
});

test('a tie is broken by first appearance and reported', async () => {
    const result = await runSelfConsistency(fake(['(B)', '(A)', '(A)', '(B)']), { samples: 4, extract: text => extractChoice(text) });
    assert.equal(result.answer, 'b');
    assert.equal(result.tie, true);
    assert.deepEqual(result.vote.tied, ['b', 'a']);
});

test('probability weighting uses each path\'s mean log-prob', async () => {
    const paths = [{ text: '1', meanLogprob: Math.log(0.9) }, { text: '2', meanLogprob: Math.log(0.2) }, { text: '2', meanLogprob: Math.log(0.2) }];
    assert.equal((await runSelfConsistency(fake(paths), { samples: 3 })).answer, '2');
    const weighted = await runSelfConsistency(fake(paths), { samples: 3, weighting: 'probability' });
    assert.equal(weighted.answer, '1');
    assert.deepEqual(weighted.paths.map(p => p.meanLogprob), paths.map(p => p.meanLogprob));
});

test('bad settings and a misbehaving generator are clear errors', async () => {
    await assert.rejects(runSelfConsistency(fake(['1']), { samples: 0 }), (e: unknown) => e instanceof AnswerSettingsError && e.setting === 'samples');
    await assert.rejects(runSelfConsistency(fake(['1']), { samples: 1.5 }), AnswerSettingsError);
    await assert.rejects(runSelfConsistency(fake(['1']), { samples: maxSamplePaths + 1 }), (e: unknown) => e instanceof AnswerSettingsError && e.message.includes(`${maxSamplePaths}`));
    await assert.rejects(runSelfConsistency(fake(['1']), { temperature: -1 }), AnswerSettingsError);
    await assert.rejects(runSelfConsistency({ generate: async () => [{ text: '1' }] }, { samples: 2 }), /returned 1 paths for 2/);
    assert.throws(() => answerHandlingFor({ extractor: 'regex', pattern: 'no group' }), AnswerSettingsError);
});
