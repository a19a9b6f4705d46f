// README's "Install in VS Code": the committed .vscode/launch.json starts an Extension Development Host on this
// folder after building it. The debugger itself needs a desktop VS Code, so this checks the wiring it relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const json = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8'));

interface LaunchConfig { name: string; type: string; request: string; args: string[]; outFiles: string[]; preLaunchTask?: string }
interface Task { label: string; type: string; script?: string }

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
