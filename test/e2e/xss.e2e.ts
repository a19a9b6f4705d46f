// Model text that looks like HTML is shown as text in our webviews, and nothing in it runs: the playground's output
// (forced with a GBNF grammar), the token probabilities panel (the text in the prompt and its tokens), the attention
// panel (token view, readouts, heatmap axis labels) and the playground's LoRA A/B compare (both texts, the word diff,
// the KL tokens). Each page also runs under the strict CSP with its nonce.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LORA_TEST_PROMPT } from '../../src/core/fixtures/writeFixtureLora';
import { fixtureLoraPath } from '../support/fixtures';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import { chooseOption } from './support/vscodeElements';
import { assertInert, assertListenersWork, assertStrictCsp, watchForScripts } from './support/webviewSafety';

/** If any of this ran, it would log the marker (and an inline handler blocked by the CSP would be reported). */
const payload = `<img src=x onerror=console.log('XSS-RAN')> </script><script>console.log('XSS-RAN')</script>`;
const grammar = `root ::= "${payload}"`;
/**
 * The issue's own examples, short enough that the attention heatmap of its prompt (about 50 fixture tokens) is drawn
 * with axis labels (cells of at least 11 px: src/webview/attention/heatmapGeometry.ts). `alert` runs would open a
 * dialog, which the watch records.
 */
const shortPayload = '<img src=x onerror=alert(1)></script>';
/**
 * Two outputs that differ in one word: the fixture LoRA makes ` banana` the greedy choice (writeFixtureLora.ts),
 * the base model (greedy) picks another fruit. The rest is the payload, in both texts and in the diff's shared parts.
 */
const payloadHead = `<img src=x onerror=console.log('XSS-RAN')>`;
const payloadTail = `</script><script>console.log('XSS-RAN')</script>`;
const compareGrammar = `root ::= "${payloadHead}" middle "${payloadTail}"\nmiddle ::= " banana " | " cherry " | " plum " | " kiwi " | " fig "`;

e2eSuite('xss', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('playground: model output with <img onerror> and </script> (forced by a GBNF grammar) is shown as text; nothing runs', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        await assertStrictCsp(view);
        const watch = await watchForScripts(workbench, view);
        try {
            await view.getByLabel('User message').fill('Say something.');
            await view.getByLabel('Max tokens').fill('400');
            await view.locator('#constraint-grammar').click();
            await view.locator('#grammar textarea').fill(grammar);
            await view.getByRole('button', { name: 'Run', exact: true }).click();
            const output = view.getByLabel('Output', { exact: true });
            await eventually(async () => assert.equal((await view.locator('p.status').innerText()).trim(), 'Done'), 120_000);
            // Exactly the text, shown as text.
            assert.equal(await output.innerText(), payload);
            assert.equal(await output.evaluate(el => el.children.length), 0, 'the output holds text only');
            await assertInert(view, watch);
            await output.scrollIntoViewIfNeeded();
            await workbench.screenshot('xss--playground-output');
            await assertListenersWork(view, watch);
        } finally {
            watch.stop();
        }
    });

    scenario('token probabilities: prompt tokens with <img onerror> and </script> are shown as text; nothing runs', async ({ server, workbench }) => {
        writeFileSync(join(server.workspace, 'xss.prompt'), `---\nconfig:\n  maxOutputTokens: 16\n---\n{{role "user"}}\nRepeat after me: ${payload}\n`);
        await workbench.openFile('xss.prompt');
        await workbench.runCommand('Promptscope: Show Token Probabilities');
        const panel = await workbench.webviewFrame('.tokens[role="listbox"]');
        await assertStrictCsp(panel);
        const watch = await watchForScripts(workbench, panel);
        try {
            await eventually(async () => assert.ok(await panel.locator('.tokens .token.generated').count() > 0), 120_000);
            const tokens = (await panel.locator('.tokens .token.prompt').allTextContents()).join('');
            assert.ok(tokens.includes(payload), `the prompt's tokens spell the payload: ${tokens}`);
            // Each chip holds text only.
            assert.equal(await panel.locator('.tokens .token *').count(), 0, 'token chips hold text only');
            // The details of a token inside the payload show it as text too.
            const lt = panel.locator('.tokens .token.prompt', { hasText: '<' }).first();
            await lt.hover();
            await eventually(async () => assert.match(await panel.locator('section.details h2').innerText(), /prompt token/), 10_000);
            await assertInert(panel, watch);
            await workbench.screenshot('xss--token-probabilities');
            await assertListenersWork(panel, watch);
        } finally {
            watch.stop();
        }
    });

    scenario('attention: prompt tokens with <img onerror> and </script> are text in the token view, the readouts and the heatmap axes; nothing runs', async ({ server, workbench }) => {
        writeFileSync(join(server.workspace, 'xss-attention.prompt'), `{{role "user"}}\n${shortPayload}\n`);
        await workbench.openFile('xss-attention.prompt');
        await workbench.runCommand('Promptscope: Show Attention');
        const panel = await workbench.webviewFrame('.maps');
        await assertStrictCsp(panel);
        const watch = await watchForScripts(workbench, panel);
        try {
            const chips = panel.locator('.token-flow .token');
            await eventually(async () => assert.ok(await chips.count() > 0, 'the token view shows the prompt\'s tokens'), 120_000);
            const texts = await chips.allTextContents();
            assert.ok(texts.join('').includes(shortPayload), `the tokens spell the payload: ${texts.join('')}`);
            // Token view: each chip holds text only; its accessible name carries the raw token as an attribute value.
            assert.equal(await panel.locator('.token-flow .token *').count(), 0, 'token chips hold text only');
            const lt = texts.findIndex((t, i) => t === '<' && texts[i + 1] === 'i');
            assert.ok(lt >= 0, `a "<" token starts the img tag: ${JSON.stringify(texts)}`);
            const gt = texts.indexOf('>', lt);
            assert.equal(await chips.nth(lt).getAttribute('aria-label'), `#${lt} <`);

            // The summary of a token (hover): what it attends to, its text in <code> as text.
            await chips.nth(gt).hover();
            const summary = panel.locator('.attended');
            await eventually(async () => assert.match(await summary.innerText(), new RegExp(`^#${gt} “>” attends to`)), 10_000);
            assert.equal(await summary.locator('code *').count(), 0);

            // Heatmap: axis labels are drawn (glyphs in the left margin, beside the rows), and the hover readout names
            // the query and key tokens as text.
            const canvas = panel.locator('canvas.heatmap');
            const drawn = await canvas.evaluate((node: HTMLCanvasElement, n: number) => {
                const ctx = node.getContext('2d')!;
                const cell = Math.floor(640 / n);
                const margin = node.width - cell * n;
                const corner = ctx.getImageData(0, 0, 1, 1).data;
                const strip = ctx.getImageData(0, margin, margin, cell * n).data;
                let differing = 0;
                for (let i = 0; i < strip.length; i += 4) if (strip[i] !== corner[0] || strip[i + 1] !== corner[1] || strip[i + 2] !== corner[2]) differing++;
                // The canvas may be shown smaller than it is drawn (max-width), so pointer positions scale by this.
                return { margin, cell, differing, children: node.children.length, cssPerPixel: node.getBoundingClientRect().width / node.width };
            }, texts.length);
            assert.ok(drawn.margin > 0 && drawn.cell >= 11, `the heatmap has a label margin: ${JSON.stringify(drawn)}`);
            assert.ok(drawn.differing > 0, 'token labels are painted beside the rows');
            assert.equal(drawn.children, 0);
            const at = (index: number) => (drawn.margin + index * drawn.cell + drawn.cell / 2) * drawn.cssPerPixel;
            await canvas.hover({ position: { x: at(lt), y: at(gt) } });
            const readout = panel.locator('.readout');
            await eventually(async () => assert.match(await readout.innerText(), new RegExp(`^query #${gt} “>” → key #${lt} “<”: \\d+\\.\\d\\d%$`)), 10_000);
            assert.deepEqual(await readout.locator('code').allTextContents(), ['“>”', '“<”']);
            assert.equal(await readout.locator('code *').count(), 0);

            await assertInert(panel, watch);
            await workbench.screenshot('xss--attention');
            await assertListenersWork(panel, watch);
        } finally {
            watch.stop();
        }
    });

    scenario('LoRA A/B compare: outputs with <img onerror> and </script> are text in both columns, the word diff and the KL tokens; nothing runs', async ({ workbench }) => {
        await workbench.runCommand('Promptscope: Open Playground');
        const view = await workbench.webviewFrame('.playground');
        const watch = await watchForScripts(workbench, view);
        try {
            await view.getByLabel('User message').fill(LORA_TEST_PROMPT);
            const raw = view.getByRole('checkbox', { name: /Raw completion/ });
            if (await raw.isChecked()) await view.locator('#raw').click();
            assert.equal(await raw.isChecked(), false);
            await view.getByLabel('Max tokens').fill('400');
            await view.locator('#constraint-grammar').click();
            await view.locator('#grammar textarea').fill(compareGrammar);
            // A run first: it loads the model, which adapters are listed for.
            await view.getByRole('button', { name: 'Run', exact: true }).click();
            await eventually(async () => {
                assert.equal((await view.locator('p.status').innerText()).trim(), 'Done');
                // This run's output, not the previous scenario's.
                assert.match(await view.getByLabel('Output', { exact: true }).innerText(), / (banana|cherry|plum|kiwi|fig) /);
            }, 120_000);
            await view.getByRole('button', { name: 'Add adapter…', exact: true }).click();
            await workbench.answerFileDialog(await fixtureLoraPath(), 30_000);
            await eventually(async () => assert.match(await view.locator('fieldset', { hasText: 'LoRA adapters' }).innerText(), /Added /), 60_000);

            // Greedy on both sides: A the base model, B the fixture LoRA.
            await chooseOption(view.locator('#compare-a-preset'), 'greedy');
            await chooseOption(view.locator('#compare-b-preset'), 'greedy');
            await chooseOption(view.locator('#compare-a-adapters'), 'none');
            await chooseOption(view.locator('#compare-b-adapters'), 'form');
            await view.getByRole('button', { name: 'Compare', exact: true }).click();
            const result = view.locator('.compare-result');
            await eventually(async () => assert.equal(await result.locator('.compare-column').count(), 2), 180_000);

            const a = await view.getByLabel('Output A', { exact: true }).innerText();
            const b = await view.getByLabel('Output B', { exact: true }).innerText();
            for (const [name, text] of [['A', a], ['B', b]] as const) {
                assert.ok(text.startsWith(payloadHead) && text.endsWith(payloadTail), `${name} is the grammar's text: ${text}`);
                assert.equal(await view.getByLabel(`Output ${name}`, { exact: true }).evaluate(node => node.children.length), 0, `output ${name} holds text only`);
            }
            assert.match(b, / banana /, 'the LoRA picks banana');
            assert.notEqual(a, b, 'base and LoRA pick different words');

            // The word diff: spans, ins and del holding text only; without the insertions it is A, without the deletions B.
            const diff = await result.locator('p.diff').evaluate(node => ({
                tags: [...node.children].map(c => c.tagName),
                nested: node.querySelectorAll(':scope > * *').length,
                withoutIns: [...node.children].filter(c => c.tagName !== 'INS').map(c => c.textContent).join(''),
                withoutDel: [...node.children].filter(c => c.tagName !== 'DEL').map(c => c.textContent).join(''),
            }));
            assert.ok(diff.tags.includes('INS') && diff.tags.includes('DEL'), `the diff marks the changed word: ${diff.tags.join(' ')}`);
            assert.ok(diff.tags.every(t => ['SPAN', 'INS', 'DEL'].includes(t)), diff.tags.join(' '));
            assert.equal(diff.nested, 0, 'diff parts hold text only');
            assert.equal(diff.withoutIns, a);
            assert.equal(diff.withoutDel, b);

            // KL per token of A: one text-only span per generated token, spelling A's output; the tooltip is an attribute.
            const kl = result.locator('.kl-tokens .kl-token');
            assert.ok(await kl.count() > 0, 'KL tokens are shown');
            assert.equal(await result.locator('.kl-tokens .kl-token *').count(), 0);
            assert.equal((await kl.allTextContents()).join(''), a);
            assert.match(await kl.first().getAttribute('title') ?? '', /^KL\(A‖B\) ≥ /);

            await assertInert(view, watch);
            await result.scrollIntoViewIfNeeded();
            await workbench.screenshot('xss--compare');
            await assertListenersWork(view, watch);
        } finally {
            watch.stop();
        }
    }, { timeoutMs: 300_000 });
});
