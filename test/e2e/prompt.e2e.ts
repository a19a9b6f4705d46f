// .prompt files in the editor: language, TextMate grammar scopes, diagnostics.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from './support/eventually';
import { extensionFolder } from './support/paths';
import { e2eSuite } from './support/session';

interface Contributions {
    languages?: { id: string; extensions?: string[]; aliases?: string[] }[];
    grammars?: { language?: string; scopeName: string; path: string }[];
}

function contributions(): Contributions {
    return (JSON.parse(readFileSync(join(extensionFolder, 'package.json'), 'utf8')) as { contributes?: Contributions }).contributes ?? {};
}

e2eSuite('prompt files', {}, scenario => {
    scenario('a .prompt file opens as Dotprompt and its tokens carry the grammar\'s scopes', async ({ workbench }) => {
        await workbench.openFile('hello.prompt');
        // The language indicator in the status bar names our language.
        const language = contributions().languages?.find(l => l.extensions?.includes('.prompt'));
        assert.ok(language, 'package.json contributes a language for .prompt files');
        const alias = language.aliases?.[0] ?? 'Dotprompt';
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
    });

    scenario('a bad front matter shows a diagnostic', async ({ server, workbench }) => {
        // A front matter whose YAML does not parse (an unclosed flow sequence).
        writeFileSync(join(server.workspace, 'broken.prompt'), '---\nconfig:\n  temperature: [0.7\n---\nHello {{name}}!\n');
        await workbench.closeEditorWidgets();
        await workbench.openFile('broken.prompt');
        // A red squiggle in the editor, and the error count in the status bar.
        await workbench.activeEditor().locator('.squiggly-error').first().waitFor({ state: 'visible', timeout: 60_000 });
        await eventually(async () => assert.match(await workbench.page.locator('#status\\.problems').innerText(), /[1-9]/));
    });
});
