// Token texts in the panels, on text the fixture's SPM vocabulary has no pieces for (each character falls back to
// byte tokens): Chinese (the sentiment example's labels), emoji with a skin tone and a ZWJ family, a combining accent.
// The chips spell the text with each split character shown once, the pieces marked and their vocabulary piece in the
// tooltip, and no U+FFFD anywhere.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';

const sample = '正面 负面 😀 👍🏽 👨\u200d👩\u200d👧 cafe\u0301';

interface Chip {
    text: string;
    title: string;
    classes: string[];
    bytes: string | undefined;
    /** What CSS draws before the chip's text (not part of it): a piece's bytes, a mark's dotted circle. */
    before: string;
}

/** Every chip matched by `selector` in the panel, with what it shows. */
function chips(panel: Frame, selector: string): Promise<Chip[]> {
    return panel.locator(selector).evaluateAll(nodes => nodes.map(node => ({
        text: node.textContent ?? '',
        title: (node as HTMLElement).title,
        classes: [...node.classList],
        bytes: (node as HTMLElement).dataset.bytes,
        before: getComputedStyle(node, '::before').content,
    })));
}

/** The three chips of a character split over three byte tokens: two pieces with no text, then the character. */
function assertSplit(all: Chip[], character: string, raws: string[]): void {
    const at = all.findIndex(c => c.text === character);
    assert.ok(at >= 2, `a chip shows ${character}`);
    const three = all.slice(at - 2, at + 1);
    assert.deepEqual(three.map(c => c.text), ['', '', character]);
    assert.ok(three.every(c => c.classes.includes('char-piece')), 'every piece is marked');
    three.forEach((chip, i) => {
        assert.ok(chip.title.includes(`token "${raws[i]}"`), `${chip.title} names ${raws[i]}`);
        assert.ok(chip.title.includes(`${character} ${i + 1}/3`), chip.title);
    });
    assert.deepEqual(three.map(c => c.bytes), raws.map(raw => raw.slice(3, 5)));
    assert.deepEqual(three.slice(0, 2).map(c => c.before), raws.slice(0, 2).map(raw => `"${raw.slice(3, 5)}"`), 'an empty piece draws its byte');
}

e2eSuite('token texts', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('probabilities panel: split characters shown once with their pieces marked, the raw piece in the tooltip, no U+FFFD', async ({ workbench, server }) => {
        writeFileSync(join(server.workspace, 'unicode.prompt'), `---\nconfig:\n  temperature: 0\n  maxOutputTokens: 6\n---\n{{role "user"}}\n${sample}\n`);
        await workbench.openFile('unicode.prompt');
        await workbench.runCommand('Promptscope: Show Token Probabilities');
        const panel = await workbench.webviewFrame('.tokens[role="listbox"]');
        await eventually(async () => assert.ok(await panel.locator('.tokens .token.generated').count() > 0, 'generated tokens are shown'), 120_000);

        const prompt = await chips(panel, '.tokens .token.prompt');
        assert.ok(prompt.map(c => c.text).join('').includes(sample), prompt.map(c => c.text).join('|'));
        assertSplit(prompt, '正', ['<0xE6>', '<0xAD>', '<0xA3>']);
        assertSplit(prompt, '负', ['<0xE8>', '<0xB4>', '<0x9F>']);
        assert.equal(prompt.filter(c => c.text === '😀').length, 1, 'the emoji is shown once');
        const grin = prompt.findIndex(c => c.text === '😀');
        assert.deepEqual(prompt.slice(grin - 3, grin).map(c => c.text), ['', '', '']);
        const accent = prompt.find(c => c.text === '\u0301')!;
        assert.ok(accent.classes.includes('joins-previous') && accent.before === '"\u25CC"', 'the accent is drawn on a dotted circle');
        assert.ok(prompt.find(c => c.text === '🏽')!.classes.includes('joins-previous'), 'the skin tone joins its thumb');
        const space = prompt.find(c => c.title.includes('token "▁"'));
        assert.ok(space !== undefined && space.text === ' ', 'SentencePiece ▁ is shown as a space, the piece in the tooltip');

        const everything = await panel.locator('body').innerText();
        assert.ok(!everything.includes('\uFFFD'), 'no replacement character in the panel');

        // The details of the character's last piece: its vocabulary piece and which bytes it holds.
        const zheng = panel.locator('.tokens .token.prompt', { hasText: /^正$/ });
        await zheng.hover();
        const facts = panel.locator('section.details dl.facts');
        await eventually(async () => {
            const text = await facts.innerText();
            assert.match(text, /Vocabulary piece\s+"<0xA3>"/);
            assert.match(text, /Bytes of\s+正 3\/3/);
        }, 10_000);
        assert.match(await panel.locator('section.details h2 code').innerText(), /“正”/);
        // A first piece alone: named by its vocabulary piece, not an empty string.
        await panel.locator(`.tokens .token.prompt[data-bytes="E6"]`).first().hover();
        await eventually(async () => assert.match(await panel.locator('section.details h2 code').innerText(), /“<0xE6>”/), 10_000);
        for (const alt of await panel.locator('section.details .chart li code.alt').allInnerTexts()) assert.ok(!alt.includes('\uFFFD'), alt);
        await workbench.screenshot('token-texts--probabilities');
    }, { timeoutMs: 180_000 });

    scenario('attention panel: the token view and the readout show split characters the same way', async ({ workbench }) => {
        await workbench.runCommand('View: Focus First Editor Group');
        await workbench.openFile('unicode.prompt');
        await workbench.runCommand('Promptscope: Show Attention');
        const panel = await workbench.webviewFrame('.maps');
        await eventually(async () => {
            assert.equal(await panel.locator('.status.done').count(), 1, 'the capture is done');
            assert.ok(await panel.locator('.token-flow .token').count() > 0);
        }, 120_000);
        const tokens = await chips(panel, '.token-flow .token');
        assert.ok(tokens.map(c => c.text).join('').includes(sample));
        assertSplit(tokens, '面', ['<0xE9>', '<0x9D>', '<0xA2>']);
        await panel.locator('.token-flow .token', { hasText: /^面$/ }).first().hover();
        await eventually(async () => assert.match(await panel.locator('.attended').innerText(), /“面”⟨面 3\/3⟩/), 10_000);
        assert.ok(!(await panel.locator('body').innerText()).includes('\uFFFD'));
        await workbench.screenshot('token-texts--attention');
    }, { timeoutMs: 180_000 });
});
