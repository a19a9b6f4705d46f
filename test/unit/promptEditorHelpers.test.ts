// Pure parts of the `.prompt` editor features (src/vscode/prompt): diagnostic mapping, the output header,
// the remembered inputs and the debouncer. None of them imports `vscode`.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PromptDiagnostic } from '../../src/core/prompt';
import { Debouncer } from '../../src/vscode/prompt/Debouncer';
import { diagnosticFields } from '../../src/vscode/prompt/diagnosticFields';
import { InputMemory, type InputStore } from '../../src/vscode/prompt/InputMemory';
import { formatRunHeader, formatSampling, headerRule } from '../../src/vscode/prompt/outputHeader';

const range = (l1: number, c1: number, l2: number, c2: number) => ({ start: { line: l1, character: c1 }, end: { line: l2, character: c2 } });

describe('diagnosticFields', () => {
    test('keeps range, message and code, maps the severity to VS Code\'s values', () => {
        const d: PromptDiagnostic = { range: range(2, 2, 2, 7), severity: 'warning', code: 'unknown-config-key', message: 'Unknown key' };
        assert.deepEqual(diagnosticFields(d, '/p/a.prompt'), {
            range: range(2, 2, 2, 7), severity: 1, message: 'Unknown key', code: 'unknown-config-key', source: 'promptscope',
        });
        assert.equal(diagnosticFields({ ...d, severity: 'error' }, undefined).severity, 0);
        assert.equal(diagnosticFields({ ...d, severity: 'information' }, undefined).severity, 2);
    });

    test('empty or inverted ranges become one visible character', () => {
        const empty = diagnosticFields({ range: range(3, 4, 3, 4), severity: 'error', code: 'yaml-syntax', message: 'x' }, undefined);
        assert.deepEqual(empty.range, range(3, 4, 3, 5));
        const inverted = diagnosticFields({ range: range(3, 4, 1, 0), severity: 'error', code: 'yaml-syntax', message: 'x' }, undefined);
        assert.deepEqual(inverted.range, range(3, 4, 3, 5));
    });

    test('related information points at the partial, or at the prompt itself', () => {
        const d: PromptDiagnostic = {
            range: range(5, 0, 5, 12), severity: 'error', code: 'partial-syntax', message: 'Partial broken',
            related: { path: '/p/_persona.prompt', range: range(1, 0, 1, 3), message: 'here' },
        };
        assert.deepEqual(diagnosticFields(d, '/p/a.prompt').related, { path: '/p/_persona.prompt', range: range(1, 0, 1, 3), message: 'here' });
        const local = { ...d, related: { range: range(0, 0, 0, 0), message: 'here' } };
        assert.equal(diagnosticFields(local, '/p/a.prompt').related?.path, '/p/a.prompt');
        assert.equal(diagnosticFields(local, undefined).related, undefined);
    });
});

describe('formatRunHeader', () => {
    const model = { name: 'tiny', architecture: 'llama', quantization: 'F32', backend: 'cpu' as const };

    test('while generating: model, parameters and the phase', () => {
        const text = formatRunHeader({ prompt: 'hello.prompt', phase: 'generating', model, sampling: { temperature: 0.7, topP: 0.9, maxTokens: 64 } });
        assert.equal(text, [
            'Run of hello.prompt',
            'Model:      tiny (llama, F32, cpu)',
            'Parameters: temperature 0.7, topP 0.9, maxTokens 64',
            'Status:     generating',
            headerRule,
            '',
        ].join('\n'));
    });

    test('when done: token counts, speed, stop reason and seed, no status', () => {
        const text = formatRunHeader({
            prompt: 'hello.prompt', phase: 'done', model, sampling: {}, stopReason: 'maxTokens', seed: 7,
            timing: { promptTokens: 30, generatedTokens: 64, ms: 512.4, timeToFirstTokenMs: 20, tokensPerSecond: 124.56 },
        });
        assert.match(text, /^Tokens: {5}30 prompt \+ 64 generated, 124\.6 tokens\/s, 512 ms, stop: maxTokens, seed 7$/m);
        assert.match(text, /^Parameters: defaults$/m);
        assert.doesNotMatch(text, /Status/);
    });

    test('the prompt\'s LoRA adapters are listed by file name and scale; none, no line', () => {
        const text = formatRunHeader({
            prompt: 'a.prompt', phase: 'generating', model, sampling: {},
            adapters: [{ path: '/models/adapters/style.gguf', scale: 0.5 }, { path: 'boost.gguf' }],
        });
        assert.match(text, /^Adapters: {3}style\.gguf × 0\.5, boost\.gguf × 1$/m);
        assert.doesNotMatch(formatRunHeader({ prompt: 'a.prompt', phase: 'generating', model, sampling: {}, adapters: [] }), /Adapters/);
    });

    test('a failure says why; a missing model says it is loading', () => {
        const text = formatRunHeader({ prompt: 'a.prompt', phase: 'failed', sampling: {}, error: 'context full' });
        assert.match(text, /^Model: {6}\(loading…\)$/m);
        assert.match(text, /^Status: {5}failed: context full$/m);
    });

    test('long sampling values are named, not printed', () => {
        assert.equal(formatSampling({ jsonSchema: { type: 'object' }, grammar: 'root ::= "a"', logitBias: { 1: 'ban', 2: 3 }, stopSequences: ['\n\n'] }),
            'stopSequences ["\\n\\n"], logitBias (2 tokens), grammar (config.grammar), JSON schema (output.schema)');
    });
});

class MapStore implements InputStore {
    readonly map = new Map<string, unknown>();
    get<T>(key: string): T | undefined {
        return this.map.get(key) as T | undefined;
    }
    update(key: string, value: unknown): Thenable<void> {
        this.map.set(key, JSON.parse(JSON.stringify(value)));
        return Promise.resolve();
    }
}

describe('InputMemory', () => {
    test('remembers per file and merges later answers', async () => {
        const memory = new InputMemory(new MapStore());
        assert.deepEqual(memory.recall('/a.prompt'), {});
        await memory.remember('/a.prompt', { topic: 'cats', n: '3' });
        await memory.remember('/b.prompt', { topic: 'dogs' });
        await memory.remember('/a.prompt', { n: '4' });
        assert.deepEqual(memory.recall('/a.prompt'), { topic: 'cats', n: '4' });
        assert.deepEqual(memory.recall('/b.prompt'), { topic: 'dogs' });
    });

    test('keeps only the most recent files', async () => {
        const store = new MapStore();
        const memory = new InputMemory(store, 2);
        await memory.remember('/1', { a: '1' });
        await memory.remember('/2', { a: '2' });
        await memory.remember('/1', { a: '1b' });
        await memory.remember('/3', { a: '3' });
        assert.deepEqual(Object.keys(store.get<object>(InputMemory.key)!), ['/1', '/3']);
    });
});

describe('Debouncer', () => {
    test('runs the last task per key once calls stop', async () => {
        const debouncer = new Debouncer<string>(20);
        const ran: string[] = [];
        debouncer.schedule('a', () => ran.push('a1'));
        debouncer.schedule('b', () => ran.push('b1'));
        debouncer.schedule('a', () => ran.push('a2'));
        assert.equal(debouncer.pending, 2);
        await sleep(60);
        assert.deepEqual(ran.sort(), ['a2', 'b1']);
        assert.equal(debouncer.pending, 0);
    });

    test('cancel and dispose drop pending tasks', async () => {
        const debouncer = new Debouncer<string>(10);
        const ran: string[] = [];
        debouncer.schedule('a', () => ran.push('a'));
        debouncer.schedule('b', () => ran.push('b'));
        debouncer.cancel('a');
        debouncer.dispose();
        await sleep(30);
        assert.deepEqual(ran, []);
    });
});
