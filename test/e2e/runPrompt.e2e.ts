// Run Prompt on the fixture model: output streamed into a document beside the prompt, the prompt's reasoning
// strategy (chain of thought, self-consistency) shown and written to the run history, and a runtime host that is
// killed in the middle of a run.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeServer } from './support/CodeServer';
import { eventually } from './support/eventually';
import { fixtureModel } from './support/fixtureModel';
import { e2eSuite } from './support/session';
import type { Workbench } from './support/Workbench';

/** The rule under the run header (src/vscode/prompt/outputHeader.ts); the output starts on the next line. */
const rule = '─'.repeat(60);

interface OutputDocument {
    header: string;
    body: string;
}

/** The run output document of `promptFile` as shown: its header and the generated text below the rule. */
async function outputOf(workbench: Workbench, promptFile: string): Promise<OutputDocument> {
    const text = await workbench.editorText(workbench.editorOf(`/${promptFile}.output`));
    const at = text.indexOf(rule);
    assert.ok(at >= 0, `the output document of ${promptFile} shows no header yet:\n${text}`);
    return { header: text.slice(0, at), body: text.slice(at + rule.length).replace(/^\n/, '') };
}

/**
 * Polls the output document until `done` accepts it, keeping every distinct body seen on the way: what the user
 * saw the document go through.
 */
async function watchOutput(workbench: Workbench, promptFile: string, done: (doc: OutputDocument) => void, timeoutMs = 120_000) {
    const bodies: string[] = [];
    const headers: string[] = [];
    const last = await eventually(async () => {
        const doc = await outputOf(workbench, promptFile);
        if (bodies.at(-1) !== doc.body) bodies.push(doc.body);
        if (headers.at(-1) !== doc.header) headers.push(doc.header);
        done(doc);
        return doc;
    }, timeoutMs, 100);
    return { last, bodies, headers };
}

/** Each body extends the one before it: text was appended, never replaced. */
function assertGrows(bodies: string[]): void {
    for (let i = 1; i < bodies.length; i++) {
        assert.ok(bodies[i]!.startsWith(bodies[i - 1]!), `the output was replaced instead of extended:\n${JSON.stringify(bodies[i - 1])}\n→ ${JSON.stringify(bodies[i])}`);
    }
}

/** Text as the editor shows it: control characters drawn as their Control Pictures (U+2400…), as the DOM holds them. */
function asShown(text: string): string {
    return text.replace(/[\u0000-\u0008\u000b-\u001f]/g, c => String.fromCharCode(0x2400 + c.charCodeAt(0)));
}

function runtimeHosts(server: CodeServer) {
    return server.descendants().filter(p => p.command.includes('runtime-host.js'));
}

/** Finished: the header has the timing line and no status line (a status line is shown until the run is done). */
function assertFinished({ header, body }: OutputDocument): void {
    assert.match(header, /^Tokens:\s+\d+ prompt \+ [1-9]\d* generated, \d+(\.\d+)? tokens\/s/m);
    assert.doesNotMatch(header, /^Status:/m);
    assert.ok(body.trim().length > 0, 'some text was generated');
}

e2eSuite('run prompt', { prepare: async () => ({ settings: { 'promptscope.model': await fixtureModel() } }) }, scenario => {
    scenario('Run Prompt on hello.prompt streams output into a document whose header ends with tokens/s', async ({ workbench }) => {
        await workbench.openFile('hello.prompt');
        await workbench.runCommand('Promptscope: Run Prompt');
        // The document opens at once with the header (the model is loaded from promptscope.model meanwhile), then fills.
        const { last, bodies, headers } = await watchOutput(workbench, 'hello.prompt', assertFinished);
        assert.match(last.header, /^Run of hello\.prompt/m);
        assert.match(last.header, /^Model:\s+Promptscope fixture tiny .*\(llama, F32, cpu\)/m);
        assert.match(last.header, /^Parameters:\s+.*temperature 0\.7.*topP 0\.9.*maxTokens 64/m);
        assert.ok(headers.some(h => /^Status:\s+(waiting for the model|generating)/m.test(h)), `the header said the run was under way before it ended; headers seen:\n${headers.join('\n---\n')}`);
        assert.ok(bodies.length >= 2, `the output grew while the run went on (bodies seen: ${JSON.stringify(bodies)})`);
        assertGrows(bodies);
        // The status bar's model item shows the model that ran.
        await eventually(async () => assert.match(await workbench.statusBarItem('promptscope.status').innerText(), /·\s*cpu/));
    });

    scenario('Run Prompt honours promptscope.strategy: cot shows reasoning and answer, self-consistency its votes; both go to the run history', async ({ server, workbench }) => {
        const historyFile = join(server.workspace, '.promptscope', 'runs', `${new Date().toISOString().slice(0, 10)}.jsonl`);
        const history = () => (existsSync(historyFile) ? readFileSync(historyFile, 'utf8').trim().split('\n') : [])
            .filter(line => line !== '').map(line => JSON.parse(line) as Record<string, unknown>);
        const ended = (doc: OutputDocument) => {
            assert.match(doc.header, /^Answer:/m);
            assert.doesNotMatch(doc.header, /^Status:/m);
        };

        // examples/arithmetic.prompt declares promptscope.strategy: cot.
        await workbench.openFile('arithmetic.prompt');
        await workbench.runCommand('Promptscope: Run Prompt');
        const cot = await watchOutput(workbench, 'arithmetic.prompt', ended);
        assert.match(cot.last.header, /^Strategy:\s+cot, zero-shot/m);
        assert.ok(cot.last.body.startsWith('── reasoning\n'), `the reasoning comes first:\n${cot.last.body}`);
        const answerAt = cot.last.body.indexOf('\n── answer\n');
        assert.ok(answerAt > 0, `the answer turn follows the reasoning:\n${cot.last.body}`);
        assertGrows(cot.bodies);
        const cotLine = await eventually(async () => {
            const line = history().find(l => l.strategy === 'cot');
            assert.ok(line, `a cot line in ${historyFile}`);
            return line;
        });
        assert.equal(cotLine.command, 'vscode-run');
        assert.equal(cotLine.prompt, join(server.workspace, 'arithmetic.prompt'));
        assert.equal(asShown(String(cotLine.reasoning)), cot.last.body.slice('── reasoning\n'.length, answerAt).trim());
        assert.match(cot.last.header, new RegExp(`^Answer:\\s+${String(cotLine.answer ?? '\\(no answer\\)')}$`, 'm'));

        writeFileSync(join(server.workspace, 'vote.prompt'), '---\nconfig:\n  temperature: 0.9\n  maxOutputTokens: 16\n'
            + '  grammar: \'root ::= [a-z ]{0,8} "The answer is " [1-4] "."\'\npromptscope.strategy: self-consistency\npromptscope.samples: 3\n---\nWhat is 1 + 2?\n');
        await workbench.openFile('vote.prompt');
        await workbench.runCommand('Promptscope: Run Prompt');
        const sc = await watchOutput(workbench, 'vote.prompt', ended);
        const votes = /^Votes:\s+(.+); unmapped: 0; agreement \d+% of 3 paths$/m.exec(sc.last.header)?.[1];
        assert.ok(votes !== undefined, `the header shows the votes:\n${sc.last.header}`);
        assert.equal((sc.last.body.match(/^── path \d /gm) ?? []).length, 3);
        const scLine = await eventually(async () => {
            const line = history().find(l => l.strategy === 'self-consistency');
            assert.ok(line, `a self-consistency line in ${historyFile}`);
            return line;
        });
        const shown = votes.split(', ').map(vote => /^(.+) ×(\d+)$/.exec(vote)!);
        assert.deepEqual(Object.fromEntries(shown.map(([, answer, count]) => [answer, Number(count)])), scLine.votes);
        await workbench.screenshot('run-prompt--self-consistency-votes');
    }, { timeoutMs: 240_000 });

    scenario('killing the runtime host during a run shows the error; the next run succeeds', async ({ server, workbench }) => {
        // Long enough (about 1900 tokens, seconds on the fixture model) to be killed in the middle.
        writeFileSync(join(server.workspace, 'long.prompt'), '---\nconfig:\n  temperature: 0.8\n  seed: 1\n  maxOutputTokens: 1900\n---\n{{role "user"}}\nTell me a long story.\n');
        await workbench.clearNotifications();
        // Wait until text is streaming: the status line says generating and some text is in. The fixture model writes
        // its 1900 tokens in seconds, so on a busy machine a run can end before it is seen streaming: then it is run
        // again (at most 3 runs).
        let streaming: Awaited<ReturnType<typeof watchOutput>> | undefined;
        for (let attempt = 1; attempt <= 3 && streaming === undefined; attempt++) {
            await workbench.openFile('long.prompt');
            await workbench.runCommand('Promptscope: Run Prompt');
            let finished = false;
            // A rerun's document shows the previous run's end until the new header replaces it.
            let started = attempt === 1;
            streaming = await watchOutput(workbench, 'long.prompt', doc => {
                if (/^Status:/m.test(doc.header)) started = true;
                if (started && /^Tokens:/m.test(doc.header)) {
                    finished = true;
                    return;
                }
                assert.match(doc.header, /^Status:\s+generating/m);
                assert.ok(doc.body.length > 0);
            });
            if (finished) {
                console.log(`[run prompt] run ${attempt} of long.prompt ended before it was seen streaming; running again`);
                streaming = undefined;
            }
        }
        assert.ok(streaming, 'one of 3 runs was seen streaming');
        const [host] = runtimeHosts(server);
        assert.ok(host, `no runtime host is running (processes under code-server: ${server.descendants().map(p => p.command.slice(0, 80)).join(' | ')})`);
        process.kill(host.pid, 'SIGKILL');

        // An error notification says the runtime stopped, and the run's header says the run failed.
        const toast = workbench.errorNotification(/runtime stopped/);
        await toast.first().waitFor({ state: 'visible', timeout: 30_000 });
        assert.match(await toast.first().innerText(), /SIGKILL/);
        const failed = await watchOutput(workbench, 'long.prompt', doc => assert.match(doc.header, /^Status:\s+failed: .*runtime stopped/m), 30_000);
        assert.ok(failed.last.body.startsWith(streaming.last.body), 'the text generated before the kill stays');
        assert.doesNotMatch(failed.last.header, /^Tokens:/m);
        await workbench.screenshot('run-prompt--runtime-host-killed-mid-run');
        await workbench.clearNotifications();

        // The next run starts a new host, reloads the configured model and finishes.
        await workbench.openFile('long.prompt');
        await workbench.runCommand('Promptscope: Run Prompt');
        const again = await watchOutput(workbench, 'long.prompt', assertFinished, 180_000);
        assert.match(again.last.header, /generated, .*stop: (maxTokens|eos|contextFull)/);
        const [restarted] = runtimeHosts(server);
        assert.ok(restarted && restarted.pid !== host.pid, 'a new runtime host process served the run');
        assert.equal(await workbench.errorNotification(/./).count(), 0, `no error shown for the second run: ${(await workbench.notificationMessages()).join(' | ')}`);
    }, { timeoutMs: 300_000 });
});
