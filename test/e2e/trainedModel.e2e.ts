// The panels on a model that knows something: examples/arithmetic.prompt with the trained arithmetic fixture
// (fixtures/trained/arithmetic.gguf, 1.4M parameters, trained to work sums column by column: `47+86: 7+6=13. 4+8+1=13.
// The answer is 133.`). The token probabilities of its answer digits are high, with other digits as their alternatives;
// self-consistency on a small dataset of such problems gives a vote histogram with a real majority; the attention
// panel shows the trained model's 4 layers of 4 (query) heads, one of which looks from the end of the prompt at the
// first operand digit, the one the model writes next. A random-weight fixture would write noise: no "The answer is",
// no digit near 100%, five different answers (or none) from five paths.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { eventually } from './support/eventually';
import { e2eSuite } from './support/session';
import { trainedArithmeticModel } from './support/trainedModel';

/** Problems in the trained format (two-digit operands), written into the workspace for the evaluation. */
const problems = [
    { question: 'A girl has 47 cards. She gets 86 more from her friend. How many cards does she have now?', expected: '133' },
    { question: 'A boy has 52 stones. He gives 48 of them away. How many stones are left?', expected: '4' },
    { question: 'What is 91 - 36?', expected: '55' },
    { question: 'A man has 58 books. He gets 76 more from his friend. How many books does he have now?', expected: '134' },
];

/** `12.5%` / `<0.001%` as a fraction. */
function fraction(shown: string): number {
    if (shown.startsWith('<')) return 0;
    const match = /^(\d+(?:\.\d+)?)%$/.exec(shown.trim());
    assert.ok(match, `a probability: ${JSON.stringify(shown)}`);
    return Number(match[1]) / 100;
}

interface Chip {
    index: number;
    text: string;
}

/** The generated tokens as the panel shows them (chip text and index). */
function generatedChips(panel: Frame): Promise<Chip[]> {
    return panel.locator('.tokens .token.generated').evaluateAll(nodes => nodes.map(node => ({
        index: Number((node as HTMLElement).dataset.index),
        text: node.textContent ?? '',
    })));
}

/** The chips of the digits after the last "The answer is" (up to the first non-digit), or [] when there is none. */
function answerDigits(chips: Chip[]): Chip[] {
    let text = '';
    const owner: number[] = [];
    for (const [i, chip] of chips.entries()) {
        text += chip.text;
        for (let k = 0; k < chip.text.length; k++) owner.push(i);
    }
    const at = text.lastIndexOf('The answer is');
    if (at < 0) return [];
    const digits: Chip[] = [];
    let pos = at + 'The answer is'.length;
    while (pos < text.length && text[pos] === ' ') pos++;
    for (; pos < text.length && /\d/.test(text[pos]!); pos++) {
        const chip = chips[owner[pos]!]!;
        if (digits.at(-1) !== chip) digits.push(chip);
    }
    return digits;
}

e2eSuite('trained arithmetic', { prepare: async () => ({ settings: { 'promptscope.model': trainedArithmeticModel(), 'promptscope.history.enabled': false } }) }, scenario => {
    scenario('token probabilities on arithmetic.prompt: the answer digits after "The answer is" are likely, with other digits as alternatives', async ({ workbench }, t) => {
        await workbench.openFile('arithmetic.prompt');
        await workbench.runCommand('Promptscope: Show Token Probabilities');
        const panel = await workbench.webviewFrame('.tokens[role="listbox"]');
        await eventually(async () => assert.match(await panel.locator('h1').innerText(), /Token probabilities — arithmetic\.prompt/), 30_000);
        await eventually(async () => {
            assert.equal(await panel.locator('.status.computing').count(), 0, 'the probabilities are computed');
            assert.ok(await panel.locator('.tokens .token.generated').count() > 0, 'generated tokens are shown');
        }, 120_000);
        assert.match(await panel.locator('header dl.facts').innerText(), /Model\s+Promptscope trained fixture arithmetic/);

        // The model works the sum in its trained format and ends with the answer: digits, each a token.
        const chips = await generatedChips(panel);
        const generatedText = chips.map(c => c.text).join('');
        t.diagnostic(`generated: ${generatedText}`);
        assert.match(generatedText, /47\+86: .*The answer is \d+\./, 'the trained model works the default question 47 + 86 column by column');
        const digits = answerDigits(chips);
        assert.ok(digits.length >= 1, `answer digits after "The answer is": ${generatedText}`);
        for (const chip of digits) assert.match(chip.text, /^\d$/, 'one digit a token');

        // Each answer digit: its probability (the raw model's) is high: the model is sure of what its working says.
        const details = panel.locator('section.details');
        const measured: string[] = [];
        let digitAlternatives = 0;
        for (const chip of digits) {
            const token = panel.locator(`.tokens .token[data-index="${chip.index}"]`);
            await token.hover();
            await eventually(async () => assert.match(await details.locator('h2').innerText(), new RegExp(`^#${chip.index} generated token “${chip.text}”`)), 10_000);
            const shown = /Probability\s+(\S+)/.exec(await details.locator('dl.facts').innerText())?.[1] ?? '';
            const raw = details.locator('.chart-box').first();
            assert.match(await raw.locator('h3').innerText(), /raw model/i);
            const alternatives = await raw.locator('li').evaluateAll(items => items.map(li => ({
                text: li.querySelector('.alt')?.textContent ?? '', prob: li.querySelector('.prob')?.textContent ?? '', actual: li.classList.contains('actual'),
            })));
            measured.push(`“${chip.text}” ${shown} (alternatives ${alternatives.map(a => `${a.text} ${a.prob}`).join(', ')})`);
            assert.ok(fraction(shown) >= 0.5, `answer digit “${chip.text}” at #${chip.index} has probability ${shown}, not ≥ 50%`);
            assert.ok(alternatives[0]?.actual, `the answer digit is the model's first choice: ${JSON.stringify(alternatives)}`);
            digitAlternatives += alternatives.filter(a => !a.actual && /^“\d”$/.test(a.text)).length;
        }
        t.diagnostic(`answer digits: ${measured.join('; ')}`);
        assert.ok(digitAlternatives >= 1, `other digits are among the answer digits' alternatives: ${measured.join('; ')}`);

        // The picture: the first answer digit pinned, its alternatives beside it.
        const first = panel.locator(`.tokens .token[data-index="${digits[0]!.index}"]`);
        await first.click();
        await eventually(async () => assert.match(await details.locator('h2').innerText(), /\(pinned, Esc to unpin\)$/), 10_000);
        await workbench.screenshot('trained-arithmetic--probabilities');
    });

    scenario('self-consistency on arithmetic problems: each row\'s vote histogram over 5 paths, with a real majority', async ({ server, workbench }, t) => {
        mkdirSync(join(server.workspace, 'data'), { recursive: true });
        const dataset = join(server.workspace, 'data', 'trained-arithmetic.jsonl');
        writeFileSync(dataset, problems.map(p => JSON.stringify(p)).join('\n') + '\n');
        await workbench.runCommand('View: Focus First Editor Group');
        await workbench.openFile('arithmetic.prompt');
        await workbench.runCommand('Promptscope: Evaluate Prompt on Dataset…');
        await workbench.answerFileDialog(dataset);
        await eventually(async () => assert.match(await workbench.quickInputPrompt(), /Evaluate arithmetic\.prompt on trained-arithmetic\.jsonl/));
        await workbench.pickQuickPickRow(/^self-consistency/);
        const results = await workbench.webviewFrame('dl.facts dt:text-is("Strategy")', 120_000);
        await eventually(async () => assert.match(await results.locator('.status').innerText(), new RegExp(`^Done: ${problems.length} rows`)), 120_000);
        assert.match(await results.locator('dl.facts').innerText(), /Strategy\s+self-consistency \(5 paths\)/);

        // Every row's histogram: bars (answer, count) most first, adding up to the 5 paths.
        const histograms = await results.locator('details.example > summary').evaluateAll(rows => rows.map(row => ({
            title: row.querySelector('.title')?.textContent ?? '',
            bars: [...row.querySelectorAll('.histogram .bar')].map(bar => ({
                answer: bar.querySelector('.answer')?.textContent ?? '',
                count: Number(bar.querySelector('.count')?.textContent),
                winner: bar.classList.contains('winner'),
            })),
        })));
        t.diagnostic(`votes: ${histograms.map(h => `${h.title}: ${h.bars.map(b => `${b.answer}×${b.count}${b.winner ? ' (winner)' : ''}`).join(', ')}`).join(' | ')}`);
        assert.equal(histograms.length, problems.length);
        for (const { title, bars } of histograms) {
            assert.equal(bars.reduce((sum, b) => sum + b.count, 0), 5, `${title}: the bars add up to the 5 paths`);
            assert.ok(bars[0]!.count >= bars.at(-1)!.count, `${title}: most votes first`);
        }
        // The paths agree: some row's winning answer has a strict majority (3 or more of 5), and it is a number the
        // model worked out (no unmapped winner). Noise gives five different answers, or none.
        const winners = histograms.map(h => ({ title: h.title, bar: h.bars.find(b => b.winner) }));
        const majority = winners.find(w => w.bar !== undefined && w.bar.count >= 3);
        assert.ok(majority?.bar, `no row's winning answer has 3 or more of its 5 votes: ${JSON.stringify(histograms)}`);
        assert.match(majority.bar.answer, /^\d+$/);

        // The picture: the majority row opened, its paths listed under the histogram.
        await results.locator('details.example > summary').filter({ hasText: majority.title }).first().click();
        await eventually(async () => assert.ok(await results.locator('details.example[open] details.path').count() === 5), 10_000);
        await workbench.screenshot('trained-arithmetic--votes');
    });

    scenario('attention on arithmetic.prompt: the trained model\'s 4 layers of 4 heads; a head looks from the last prompt token at an operand digit', async ({ workbench }, t) => {
        await workbench.runCommand('View: Focus First Editor Group');
        await workbench.openFile('arithmetic.prompt');
        await workbench.runCommand('Promptscope: Show Attention');
        const panel = await workbench.webviewFrame('.maps');
        await eventually(async () => {
            assert.match(await panel.locator('h1').innerText(), /Attention — arithmetic\.prompt/);
            assert.equal(await panel.locator('.status.done').count(), 1, 'the capture is done');
            assert.ok(await panel.locator('.token-flow .token').count() > 0);
        }, 120_000);
        const facts = await panel.locator('header dl.facts').innerText();
        assert.match(facts, /Model\s+Promptscope trained fixture arithmetic/);
        assert.match(facts, /Layers\s+4\b/);
        assert.match(facts, /Heads\s+4 query, [124] KV/);
        const layer = panel.getByRole('combobox', { name: 'Layer', exact: true });
        const head = panel.getByRole('combobox', { name: 'Head', exact: true });
        assert.deepEqual(await layer.locator('option').evaluateAll(o => o.map(n => n.getAttribute('value'))), ['0', '1', '2', '3']);
        assert.deepEqual(await head.locator('option').evaluateAll(o => o.map(n => n.getAttribute('value'))), ['mean', '0', '1', '2', '3']);

        // The last prompt token (the one that predicts the first digit of the worked problem, `47+86: …`) pinned; every
        // head of every layer (the later layers captured on demand) read for the token it attends to most. A trained
        // model copies the operand from the question, so some head looks at a digit of it with most of its weight.
        const chips = panel.locator('.token-flow .token');
        const texts = await chips.allTextContents();
        const last = texts.length - 1;
        await chips.nth(last).click();
        await eventually(async () => assert.match(await panel.locator('.attended').innerText(), new RegExp(`^#${last} `)), 10_000);
        const heatmapTitle = panel.locator('.maps h2').filter({ hasText: 'Heatmap' });
        let best = { layer: -1, head: -1, key: -1, weight: 0 };
        const seen: string[] = [];
        for (let l = 0; l < 4; l++) {
            await layer.selectOption(String(l));
            for (let h = 0; h < 4; h++) {
                await head.selectOption(String(h));
                const top = await eventually(async () => {
                    assert.match(await heatmapTitle.innerText(), new RegExp(`layer ${l}, head ${h}$`));
                    assert.equal(await panel.locator('.status.done').count(), 1, `layer ${l} is captured`);
                    assert.match(await panel.locator('.attended').innerText(), new RegExp(`^#${last} `), 'the pinned token stays');
                    const match = /#(\d+) (\d+(?:\.\d+)?)%/.exec(await panel.locator('.attended li').first().innerText());
                    assert.ok(match, 'the most attended token and its weight');
                    return { key: Number(match[1]), weight: Number(match[2]) / 100 };
                }, 60_000);
                seen.push(`L${l}H${h} → #${top.key} “${texts[top.key]?.trim()}” ${(top.weight * 100).toFixed(1)}%`);
                if (/^\d$/.test(texts[top.key]?.trim() ?? '') && top.weight > best.weight) best = { layer: l, head: h, ...top };
            }
        }
        t.diagnostic(`from #${last} (the last prompt token): ${seen.join(', ')}`);
        assert.ok(best.weight >= 0.5, `no head attends from the last prompt token to a digit of the question with ≥ 50% of its weight: ${seen.join(', ')}`);

        // The picture: that head, beside all heads of its layer.
        await layer.selectOption(String(best.layer));
        await head.selectOption(String(best.head));
        await panel.getByRole('checkbox', { name: 'All heads' }).check();
        await eventually(async () => assert.deepEqual(await panel.locator('.thumbnails .thumbnail').allInnerTexts(), ['mean', 'head 0', 'head 1', 'head 2', 'head 3']), 10_000);
        await eventually(async () => assert.match(await heatmapTitle.innerText(), new RegExp(`layer ${best.layer}, head ${best.head}$`)), 10_000);
        const canvas = panel.locator('canvas.heatmap');
        await eventually(async () => {
            const painted = await canvas.evaluate((node: HTMLCanvasElement) => {
                const data = node.getContext('2d')?.getImageData(0, 0, node.width, node.height).data;
                let count = 0;
                for (let i = 3; data !== undefined && i < data.length; i += 4) if (data[i]! > 0) count++;
                return count;
            });
            assert.ok(painted > 0, 'the heatmap is drawn');
        }, 30_000);
        // Scrolled to the pinned token's lines (below the heatmap), which show where it looks.
        await panel.locator('.attended').scrollIntoViewIfNeeded();
        await workbench.screenshot('trained-arithmetic--attention');
    });
});
