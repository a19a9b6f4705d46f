// The reasoning trace in the editor, on the fixture model: Run Prompt of a self-ask, tree-of-thought and program-aided
// prompt ends its output document with the trace and opens the Reasoning Trace panel (strict CSP, nonce'd script, the
// shared tree's stylesheet) holding the same trace as `run --json`, exported as JSON; Show Reasoning Trace reopens it;
// and the dataset evaluation's rows carry the trace of each of these strategies. The fixture writes noise, so the
// tests check the trace's structure against the outcome it came from, not the answers.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Ctx } from '../../src/vscode/Ctx';
import type { EvaluationPanel } from '../../src/vscode/evaluation/EvaluationPanel';
import type { ReasoningTracePanel } from '../../src/vscode/prompt/ReasoningTracePanel';
import type { TraceNode } from '../../src/shared/reasoningTrace';
import { fixtureModelPath } from '../support/fixtures';

const count = (nodes: readonly TraceNode[], kind: TraceNode['kind']): number => nodes.reduce((n, node) => n + (node.kind === kind ? 1 : 0) + count(node.children, kind), 0);

function assertStrictPage(panel: vscode.WebviewPanel, bundle: string): void {
    const html = panel.webview.html;
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    assert.ok(csp, 'no CSP meta');
    assert.match(csp, /^default-src 'none';/);
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce && html.includes(`<script nonce="${nonce}"`), 'the script does not carry the nonce');
    assert.match(html, new RegExp(`dist/webview/${bundle}\\.js`));
    assert.match(html, /media\/webview\/reasoningTrace\.css/, 'the shared trace tree\'s stylesheet is not loaded');
}

describe('Promptscope: reasoning trace', function () {
    this.timeout(240_000);
    let ctx: Ctx;
    let dir: string;

    before(async () => {
        const extension = vscode.extensions.getExtension('promptscope.promptscope');
        assert.ok(extension);
        ctx = await extension.activate() as Ctx;
        dir = mkdtempSync(join(tmpdir(), 'promptscope-trace-test-'));
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', await fixtureModelPath(), vscode.ConfigurationTarget.Global);
        await settings.update('threads', 1, vscode.ConfigurationTarget.Global);
        await settings.update('history.enabled', false, vscode.ConfigurationTarget.Global);
    });

    after(async () => {
        const settings = vscode.workspace.getConfiguration('promptscope');
        await settings.update('model', undefined, vscode.ConfigurationTarget.Global);
        await settings.update('threads', undefined, vscode.ConfigurationTarget.Global);
        await settings.update('history.enabled', undefined, vscode.ConfigurationTarget.Global);
        if (ctx.models.model !== undefined) await ctx.models.unload();
        rmSync(dir, { recursive: true, force: true });
    });

    /** Runs `front` as a prompt and returns its trace panel and output document text once the run is done. */
    async function runTraced(name: string, front: string): Promise<{ prompt: vscode.Uri; panel: ReasoningTracePanel; output: string }> {
        const prompt = vscode.Uri.file(join(dir, name));
        writeFileSync(prompt.fsPath, `---\nconfig:\n  maxOutputTokens: 10\n  seed: 5\n${front}---\nWhat is 12 + 30?\n`);
        const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>('promptscope.runPrompt', prompt);
        assert.ok(uri, 'Run Prompt returned no output document');
        const panel = ctx.prompts.tracePanel(prompt);
        assert.ok(panel, 'the Reasoning Trace panel did not open');
        assert.equal(panel.current.phase, 'done', `phase ${panel.current.phase}: ${panel.current.message ?? ''}`);
        // From the extension's provider: the editor's copy of the document may lag its last change.
        const output = ctx.outputs.provideTextDocumentContent(uri);
        return { prompt, panel, output };
    }

    it('self-ask with samples 2: the panel\'s trace has both chains, the output document ends with it, Export JSON writes it', async () => {
        const { prompt, panel, output } = await runTraced('ask.prompt', 'promptscope.strategy: self-ask\npromptscope.samples: 2\npromptscope.selfAsk:\n  followUp: "e"\n  maxFollowUps: 1\n');
        try {
            assert.equal(panel.panel.viewType, 'promptscope.reasoningTrace');
            assertStrictPage(panel.panel, 'trace');
            const trace = panel.current.trace!;
            assert.equal(trace.strategy, 'self-ask');
            assert.deepEqual(trace.roots.map(r => r.kind), ['chain', 'chain']);
            assert.ok(trace.roots.every(r => r.children.at(-1)!.kind === 'final'));
            assert.ok(trace.vote, 'two chains vote');
            assert.equal(Object.values(trace.vote.votes).reduce((a, b) => a + b, 0) + trace.vote.unmapped, 2);
            assert.match(output, /── reasoning trace/);
            assert.match(output, /^Chain 1: \d follow-ups? → /m);
            assert.match(output, /^Chain 2: \d follow-ups? → /m);

            const exported = vscode.Uri.file(join(dir, 'ask.trace.json'));
            await panel.exportTo(exported);
            assert.deepEqual(JSON.parse(readFileSync(exported.fsPath, 'utf8')), { prompt: 'ask.prompt', trace });

            // Closed, it comes back with the same trace through Show Reasoning Trace.
            panel.dispose();
            const again = await vscode.commands.executeCommand<ReasoningTracePanel | undefined>('promptscope.showReasoningTrace', prompt);
            assert.ok(again && again !== panel);
            assert.deepEqual(again.current.trace, trace);
            again.dispose();
        } finally {
            panel.dispose();
        }
    });

    it('tree-of-thought and program-aided: thoughts with values and pruned ones, programs with their output or error', async () => {
        const tot = await runTraced('tot.prompt', 'promptscope.strategy: tree-of-thought\npromptscope.tot:\n  thoughts: 2\n  beamWidth: 1\n  maxDepth: 2\n');
        try {
            const trace = tot.panel.current.trace!;
            assert.deepEqual(trace.roots.map(r => r.kind), ['search']);
            const thoughts: TraceNode[] = [];
            const walk = (nodes: readonly TraceNode[]) => nodes.forEach(n => { if (n.kind === 'thought') thoughts.push(n); walk(n.children); });
            walk(trace.roots[0]!.children);
            assert.ok(thoughts.length >= 1);
            assert.ok(thoughts.every(t => t.value !== undefined && t.value >= 0 && t.value <= 1 && t.status !== undefined));
            // A beam of one: each step keeps one thought, the others of the step are pruned.
            assert.ok(thoughts.filter(t => t.status !== 'pruned').length <= 2);
            assert.match(tot.output, /── reasoning trace/);
        } finally {
            tot.panel.dispose();
        }
        const pal = await runTraced('pal.prompt', 'promptscope.strategy: program-aided\n');
        try {
            const trace = pal.panel.current.trace!;
            assert.deepEqual(trace.roots.map(r => r.kind), ['program']);
            const program = trace.roots[0]!;
            assert.equal(program.children[0]!.kind, 'printed');
            // Ten tokens of noise are no program that prints: it fails, and the failure is in the trace.
            if (program.failure) assert.equal(program.children[1]!.kind, 'error');
            assert.match(pal.output, /^Program 1 \(\d+ ms\) → /m);
        } finally {
            pal.panel.dispose();
        }
    });

    it('the dataset evaluation keeps each row\'s trace, for self-ask, tree-of-thought and program-aided', async () => {
        const prompt = vscode.Uri.file(join(dir, 'rows.prompt'));
        writeFileSync(prompt.fsPath, '---\nconfig:\n  maxOutputTokens: 8\npromptscope.tot:\n  thoughts: 2\n  beamWidth: 1\n  maxDepth: 1\npromptscope.selfAsk:\n  maxFollowUps: 1\n---\nWhat is {{a}} + 30?\n');
        const dataset = join(dir, 'rows.jsonl');
        writeFileSync(dataset, '{"a": 1, "expected": "31"}\n{"a": 2, "expected": "32"}\n');
        const expectedRoots = { 'self-ask': 'chain', 'tree-of-thought': 'search', 'program-aided': 'program' } as const;
        for (const strategy of ['self-ask', 'tree-of-thought', 'program-aided'] as const) {
            const panel = await vscode.commands.executeCommand<EvaluationPanel | undefined>('promptscope.evaluatePrompt', prompt, { dataset, strategy, samples: 2, limit: 2, seed: 3 });
            assert.ok(panel, `${strategy}: the command returned no panel`);
            try {
                assertStrictPage(panel.panel, 'evaluation');
                const state = panel.current;
                assert.equal(state.phase, 'done', `${strategy}: phase ${state.phase}: ${state.message ?? ''}`);
                assert.equal(state.samples, 2);
                assert.equal(state.rows.length, 2);
                for (const row of state.rows) {
                    assert.equal(row.trace?.strategy, strategy);
                    assert.deepEqual(row.trace.roots.map(r => r.kind), [expectedRoots[strategy], expectedRoots[strategy]], `${strategy}: one root per voted sample`);
                    assert.equal(row.trace.answer, row.answer);
                    if (strategy === 'tree-of-thought') assert.ok(row.trace.roots.every(r => count(r.children, 'thought') >= 1));
                }
            } finally {
                panel.dispose();
            }
        }
    });
});
