import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StopSequenceMatcher } from '../../src/core/text/StopSequenceMatcher';

function feed(stops: string[], pieces: string[]): { emitted: string; stopped: boolean; matched?: string } {
    const matcher = new StopSequenceMatcher(stops);
    let emitted = '';
    for (const piece of pieces) {
        const { text, stopped } = matcher.push(piece);
        emitted += text;
        if (stopped) return { emitted, stopped, matched: matcher.matchedStop };
    }
    return { emitted: emitted + matcher.flush(), stopped: false };
}

test('no stops: text passes straight through', () => {
    const matcher = new StopSequenceMatcher([]);
    assert.deepEqual(matcher.push('abc'), { text: 'abc', stopped: false });
    assert.equal(matcher.hasStops, false);
});

test('a stop inside one piece: the text before it is emitted, the stop is not', () => {
    assert.deepEqual(feed(['END'], ['hello END world']), { emitted: 'hello ', stopped: true, matched: 'END' });
});

test('a stop spanning token boundaries', () => {
    assert.deepEqual(feed(['END'], ['hello E', 'N', 'D more']), { emitted: 'hello ', stopped: true, matched: 'END' });
    assert.deepEqual(feed(['\n\n'], ['a\n', '\nb']), { emitted: 'a', stopped: true, matched: '\n\n' });
});

test('a held-back prefix that turns out not to be a stop is released', () => {
    assert.deepEqual(feed(['END'], ['hello E', 'XD']), { emitted: 'hello EXD', stopped: false });
    assert.deepEqual(feed(['END'], ['the E']), { emitted: 'the E', stopped: false });
});

test('the earliest of several stops wins', () => {
    assert.deepEqual(feed(['world', 'lo w'], ['hello world']), { emitted: 'hel', stopped: true, matched: 'lo w' });
});

test('held text is emitted as soon as it can no longer start a stop', () => {
    const matcher = new StopSequenceMatcher(['ab']);
    assert.deepEqual(matcher.push('xa'), { text: 'x', stopped: false });
    assert.deepEqual(matcher.push('c'), { text: 'ac', stopped: false });
});
