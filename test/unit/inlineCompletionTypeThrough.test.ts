// Typing through an inline suggestion (src/core/inlineCompletion/SuggestionMemory.ts): what the provider serves
// without a model call while the user types what the ghost text shows, and every way that memory is reset.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SuggestionMemory, type SuggestionPlace } from '../../src/core/inlineCompletion/SuggestionMemory';

const shownText = 'Hello\nThe story begins with a king who\nThe end.\n';
const cursor = shownText.indexOf(' who') + ' who'.length;
const shownAt: SuggestionPlace = { document: 'file:///a.prompt', version: 3, text: shownText, offset: cursor, context: 'maxTokens=32;model=a.gguf' };

/** The place after typing `typed` at the shown cursor, one version per character. */
function afterTyping(typed: string, change: Partial<SuggestionPlace> = {}): SuggestionPlace {
    return {
        ...shownAt,
        version: shownAt.version + typed.length,
        text: shownText.slice(0, cursor) + typed + shownText.slice(cursor),
        offset: cursor + typed.length,
        ...change,
    };
}

function remembered(suggestion = ' ruled the land') {
    const memory = new SuggestionMemory();
    memory.remember(shownAt, suggestion);
    return memory;
}

describe('typing through an inline suggestion', () => {
    test('each matching character typed leaves the rest of the suggestion, from the place it was shown', () => {
        const memory = remembered();
        assert.equal(memory.rest(afterTyping(' ')), 'ruled the land');
        assert.equal(memory.rest(afterTyping(' r')), 'uled the land');
        assert.equal(memory.rest(afterTyping(' ruled the la')), 'nd');
    });

    test('asked again at the same place and version: the whole suggestion', () => {
        const memory = remembered();
        assert.equal(memory.rest(shownAt), ' ruled the land');
        assert.equal(memory.rest(shownAt), ' ruled the land');
    });

    test('a character the suggestion does not continue with forgets it, also for a later matching one', () => {
        const memory = remembered();
        assert.equal(memory.rest(afterTyping(' x')), undefined);
        assert.equal(memory.rest(afterTyping(' r')), undefined);
    });

    test('typed to its end: nothing left, and forgotten', () => {
        const memory = remembered();
        assert.equal(memory.rest(afterTyping(' ruled the land')), undefined);
        assert.equal(memory.rest(afterTyping(' r')), undefined);
    });

    test('another document, another context (settings or model) forget it', () => {
        assert.equal(remembered().rest(afterTyping(' r', { document: 'file:///b.prompt' })), undefined);
        const memory = remembered();
        assert.equal(memory.rest(afterTyping(' r', { context: 'maxTokens=8;model=a.gguf' })), undefined);
        assert.equal(memory.rest(afterTyping(' r')), undefined, 'forgotten, not merely skipped');
    });

    test('a cursor moved without typing, or typing elsewhere, forgets it', () => {
        assert.equal(remembered().rest({ ...shownAt, offset: cursor - 1 }), undefined, 'moved left, same version');
        assert.equal(remembered().rest({ ...shownAt, offset: cursor + 1 }), undefined, 'moved right, same version');
        // Typed the right character, then moved the cursor back before it.
        assert.equal(remembered().rest({ ...afterTyping(' '), offset: cursor }), undefined);
        // The same length of text typed at the start of the document instead of at the cursor.
        const elsewhere = { ...shownAt, version: 4, text: ' ' + shownText, offset: cursor + 1 };
        assert.equal(remembered().rest(elsewhere), undefined);
        // A deletion before the cursor.
        const deleted = { ...shownAt, version: 4, text: shownText.slice(1), offset: cursor - 1 };
        assert.equal(remembered().rest(deleted), undefined);
        // Typed the matching character and, in the same edit, changed the text after the cursor.
        const alsoAfter = afterTyping(' ');
        assert.equal(remembered().rest({ ...alsoAfter, text: alsoAfter.text.replace('The end.', 'The END.') }), undefined);
    });

    test('nothing remembered, an empty suggestion, or forget(): nothing served', () => {
        assert.equal(new SuggestionMemory().rest(shownAt), undefined);
        assert.equal(remembered('').rest(shownAt), undefined);
        const memory = remembered();
        memory.forget();
        assert.equal(memory.rest(afterTyping(' ')), undefined);
    });
});
