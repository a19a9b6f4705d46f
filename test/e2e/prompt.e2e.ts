// .prompt files in the editor: language, TextMate grammar scopes, diagnostics.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './support/eventually';
import { extensionFolder, repoRoot } from './support/paths';
import { e2eSuite } from './support/session';

interface Contributions {
    languages?: { id: string; extensions?: string[]; aliases?: string[] }[];
    grammars?: { language?: string; scopeName: string; path: string }[];
}

function contributions(): Contributions {
    return (JSON.parse(readFileSync(join(extensionFolder, 'package.json'), 'utf8')) as { contributes?: Contributions }).contributes ?? {};
}

/** Runs once the manifest gives .prompt files a language with a grammar (issue 3). */
function needsPromptGrammar(): string | undefined {
    const { languages = [], grammars = [] } = contributions();
    const language = languages.find(l => l.extensions?.includes('.prompt'));
    if (!language) return 'not landed yet: package.json contributes no language for .prompt';
    if (!grammars.some(g => g.language === language.id)) return `not landed yet: package.json contributes no grammar for ${language.id}`;
    return undefined;
}

/** Runs once src/vscode publishes diagnostics (issue 3). */
function needsDiagnostics(): string | undefined {
    const dir = join(repoRoot, 'src/vscode');
    const publishes = readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter(f => f.endsWith('.ts'))
        .some(f => readFileSync(join(dir, f), 'utf8').includes('createDiagnosticCollection'));
    return publishes ? needsPromptGrammar() : 'not landed yet: src/vscode creates no diagnostic collection';
}

e2eSuite('prompt files', {}, scenario => {
    scenario('a .prompt file opens as Dotprompt and its tokens carry the grammar\'s scopes', async ({ workbench }) => {
        await workbench.openFile('hello.prompt');
        // The language indicator in the status bar names our language.
        const alias = contributions().languages!.find(l => l.extensions?.includes('.prompt'))!.aliases?.[0] ?? 'Dotprompt';
        await eventually(async () => assert.equal((await workbench.page.locator('#status\\.editor\\.mode').innerText()).trim(), alias));

        // {{topic}} in the body is a Handlebars variable.
        const variable = await workbench.inspectToken('topic', 'Explain');
        assert.match(variable, /source\.dotprompt/);
        assert.match(variable, /meta\.mustache\.dotprompt/);
        assert.match(variable, /variable\.other\.dotprompt/);
        await workbench.closeEditorWidgets();

        // {{role "user"}} is the role helper.
        const role = await workbench.inspectToken('role', 'role "user"');
        assert.match(role, /support\.function\.role\.dotprompt/);
        await workbench.closeEditorWidgets();

        // Keys of the front matter are YAML inside the front matter scope.
        const key = await workbench.inspectToken('temperature', 'temperature:');
        assert.match(key, /meta\.frontmatter\.dotprompt/);
        assert.match(key, /yaml/);
        await workbench.closeEditorWidgets();
        await workbench.inspectToken('topic', 'Explain'); // leave the widget open on a body token for the screenshot
    }, { skipUnless: needsPromptGrammar });

    scenario('a bad front matter shows a diagnostic', async ({ server, workbench }) => {
        // A front matter whose YAML does not parse (an unclosed flow sequence).
        writeFileSync(join(server.workspace, 'broken.prompt'), '---\nconfig:\n  temperature: [0.7\n---\nHello {{name}}!\n');
        await workbench.closeEditorWidgets();
        await workbench.openFile('broken.prompt');
        // A red squiggle in the editor, and the error count in the status bar.
        await workbench.activeEditor().locator('.squiggly-error').first().waitFor({ state: 'visible', timeout: 60_000 });
        await eventually(async () => assert.match(await workbench.page.locator('#status\\.problems').innerText(), /[1-9]/));
    }, { skipUnless: needsDiagnostics });
});
