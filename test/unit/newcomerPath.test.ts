// A newcomer's first commands: README opens with the commands CI runs (so a lock file out of step with package.json,
// which breaks `npm ci`, fails CI), and README's "Install in VS Code": the committed .vscode/launch.json starts an
// Extension Development Host on this folder after building it. The debugger itself needs a desktop VS Code, so this
// checks the wiring it relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const json = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8'));

interface LaunchConfig { name: string; type: string; request: string; args: string[]; outFiles: string[]; preLaunchTask?: string }
interface Task { label: string; type: string; script?: string }

/** The commands of README's first code block: its lines that do not start with a space, without their comments. */
function readmeCommands(): string[] {
    const block = /```sh\n([\s\S]*?)```/.exec(readFileSync(join(root, 'README.md'), 'utf8'))?.[1] ?? '';
    return block.split('\n').filter(line => /^\S/.test(line)).map(line => line.replace(/\s+#.*$/, '').trim());
}

test("README opens with `npm ci && npm start` and `npm test`, and .ci/run runs exactly those lines", () => {
    const commands = readmeCommands();
    assert.deepEqual(commands, ['npm ci && npm start', 'npm test']);
    const ciLines = readFileSync(join(root, '.ci/run'), 'utf8').split('\n').map(line => line.trim());
    for (const command of commands) assert.ok(ciLines.includes(command), `.ci/run runs README's \`${command}\``);
    assert.ok(!ciLines.some(line => /^npm install\b/.test(line)), '.ci/run installs with npm ci, as README says, not npm install');
});

test('launch.json: an Extension Development Host on this folder, opening examples/, after the build task', () => {
    const configs: LaunchConfig[] = json('.vscode/launch.json').configurations;
    const host = configs.find(c => c.type === 'extensionHost');
    assert.ok(host, 'a configuration of type extensionHost');
    assert.equal(host.request, 'launch');
    assert.ok(host.args.includes('--extensionDevelopmentPath=${workspaceFolder}'));
    assert.ok(host.args.includes('${workspaceFolder}/examples'));
    // The extension's entry point (package.json main) is among the files the debugger maps breakpoints into.
    const main: string = json('package.json').main;
    assert.ok(host.outFiles.some(glob => glob === '${workspaceFolder}/dist/**/*.js') && main.startsWith('dist/'), `outFiles cover ${main}`);

    const tasks: Task[] = json('.vscode/tasks.json').tasks;
    const build = tasks.find(t => t.label === host.preLaunchTask);
    assert.ok(build, `tasks.json defines the preLaunchTask "${host.preLaunchTask}"`);
    assert.equal(build.type, 'npm');
    assert.equal(json('package.json').scripts[build.script!], 'node scripts/build.mjs', 'the task runs the build that writes dist/');
});

test('.vscode/launch.json and tasks.json are not git-ignored (they are committed for every clone)', () => {
    for (const file of ['.vscode/launch.json', '.vscode/tasks.json']) {
        const r = spawnSync('git', ['check-ignore', '-q', file], { cwd: root });
        assert.equal(r.status, 1, `${file} is ignored by .gitignore`);
    }
});
