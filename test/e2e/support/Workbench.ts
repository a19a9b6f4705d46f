import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { resultsDir } from './paths';

/** How often VS Code saves the workbench's state to storage when idle (its AbstractStorageService's flush interval). */
const storageSaveIntervalMs = 60_000;

/** How long to wait for things the workbench does on its own (extension activation, restore). */
const defaultTimeoutMs = 30_000;

/**
 * The VS Code workbench in a Playwright page, seen the way a user sees it: through the command palette,
 * the status bar, notifications and panels. Selectors are VS Code's own DOM (see issue 8 for the ones
 * verified against code-server 4.100.3).
 */
export class Workbench {
    constructor(readonly page: Page) {}

    /** Waits until the workbench has rendered its status bar, the last part to appear on startup. */
    async waitReady(timeoutMs = 60_000): Promise<void> {
        await this.page.locator('#workbench\\.parts\\.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
    }

    private get quickInput(): Locator {
        return this.page.locator('.quick-input-widget');
    }

    private get quickInputBox(): Locator {
        return this.quickInput.locator('.quick-input-box input');
    }

    /** Rows of the open quick pick, as the user sees them. */
    quickPickRows(): Locator {
        return this.quickInput.locator('.quick-input-list .monaco-list-row');
    }

    private commandRow(title: string): Locator {
        // aria-label is the row's full text ("Promptscope: Show Logs, …keybinding"); match the label span exactly.
        return this.quickPickRows().filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) });
    }

    async openPalette(query: string): Promise<void> {
        if (!(await this.quickInput.isVisible())) {
            await this.page.keyboard.press('F1');
        }
        await this.quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
        await this.quickInputBox.fill(query);
    }

    async closeQuickInput(): Promise<void> {
        if (await this.quickInput.isVisible()) {
            await this.page.keyboard.press('Escape');
            await this.quickInput.waitFor({ state: 'hidden', timeout: 5_000 });
        }
    }

    /**
     * Waits until a command with this exact title is listed in the palette. Commands contributed by
     * extensions arrive after the workbench renders, and the palette only picks them up when reopened.
     */
    async findCommand(title: string, timeoutMs = defaultTimeoutMs): Promise<Locator> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            await this.openPalette(`>${title}`);
            const row = this.commandRow(title);
            try {
                await row.first().waitFor({ state: 'visible', timeout: 2_000 });
                return row.first();
            } catch (e) {
                if (Date.now() > deadline) {
                    const shown = await this.quickPickRows().allInnerTexts();
                    throw new Error(`command "${title}" is not in the palette after ${timeoutMs} ms; rows shown: ${JSON.stringify(shown)}`, { cause: e });
                }
                await this.closeQuickInput();
            }
        }
    }

    /** Runs a command by its title through the palette, as a user would. */
    async runCommand(title: string, timeoutMs = defaultTimeoutMs): Promise<void> {
        await this.findCommand(title, timeoutMs);
        await this.page.keyboard.press('Enter');
    }

    /** Types into the quick input that is open (e.g. a quick pick a command showed) and accepts it. */
    async answerQuickInput(text: string, timeoutMs = 10_000): Promise<void> {
        await this.quickInputBox.waitFor({ state: 'visible', timeout: timeoutMs });
        await this.quickInputBox.fill(text);
        await this.quickInputBox.press('Enter');
    }

    /** Selects the first row of the open quick pick whose text matches, as a user would with the arrow keys and Enter. */
    async pickQuickPickRow(text: RegExp | string, timeoutMs = 10_000): Promise<void> {
        const row = this.quickPickRows().filter({ hasText: text }).first();
        await row.waitFor({ state: 'visible', timeout: timeoutMs });
        await row.click();
    }

    /**
     * Answers VS Code's file dialog with a path. In a browser VS Code uses its "simple" dialog: a quick
     * input whose value is a path, accepted with Enter once it names an existing file.
     */
    async answerFileDialog(path: string, timeoutMs = 15_000): Promise<void> {
        await this.quickInputBox.waitFor({ state: 'visible', timeout: timeoutMs });
        const deadline = Date.now() + timeoutMs;
        // The dialog fills in its starting folder asynchronously, possibly after we typed: type until our
        // path stays put, then accept; retry when the dialog is still open with something else in it.
        while (Date.now() < deadline) {
            await this.quickInputBox.fill(path);
            await this.page.waitForTimeout(500);
            if ((await this.quickInputBox.inputValue()) !== path) continue;
            // Pressed on the box itself (focusing it first): a page beside it, such as Get Started, may have taken the
            // focus since, and a keyboard Enter would go there.
            const dialogTitle = await this.quickInputTitle();
            await this.quickInputBox.press('Enter');
            // Accepted when the dialog closes, or when the command's next question takes its place in the same widget
            // at once (it never closes then): typing the path again there would answer that question instead.
            const acceptedBy = Date.now() + 2_000;
            while (Date.now() < acceptedBy) {
                if (!await this.quickInput.isVisible() || await this.quickInputTitle() !== dialogTitle) return;
                await this.page.waitForTimeout(100);
            }
            // still open: the value was replaced under us, or the path is not accepted (message below)
        }
        const message = await this.quickInput.locator('.quick-input-message').innerText().catch(() => '');
        throw new Error(`the file dialog did not accept ${path} within ${timeoutMs} ms (value: ${await this.quickInputBox.inputValue()}, message: ${message})`);
    }

    /** The open quick input's title ('' when it has none or is closed). */
    private async quickInputTitle(): Promise<string> {
        return this.quickInput.locator('.quick-input-title').innerText({ timeout: 500 }).catch(() => '');
    }

    /** Current text of the quick input's title or placeholder, to see which prompt is showing. */
    async quickInputPrompt(): Promise<string> {
        const placeholder = (await this.quickInputBox.getAttribute('placeholder')) ?? '';
        const title = (await this.quickInput.locator('.quick-input-title').innerText().catch(() => '')) ?? '';
        return `${title} ${placeholder}`.trim();
    }

    /**
     * A status bar entry contributed with `createStatusBarItem(id)`. The DOM id VS Code gives it is the
     * item id, optionally prefixed with the extension id, so both forms are matched.
     */
    statusBarItem(id: string): Locator {
        return this.page.locator(`#workbench\\.parts\\.statusbar .statusbar-item[id="${id}"], #workbench\\.parts\\.statusbar .statusbar-item[id$=".${id}"]`);
    }

    /** Hovers over `target` and returns the text of the hover (tooltip) VS Code shows for it. */
    async hoverText(target: Locator, expected: RegExp, timeoutMs = 10_000): Promise<string> {
        await target.hover();
        const hover = this.page.locator('.workbench-hover, .monaco-hover').filter({ hasText: expected }).first();
        await hover.waitFor({ state: 'visible', timeout: timeoutMs });
        return (await hover.innerText()).replace(/\u00a0/g, ' ');
    }

    /** Visible notification toasts. */
    notificationToasts(): Locator {
        return this.page.locator('.notifications-toasts .notification-toast');
    }

    /** A visible notification whose message matches. */
    notification(message: RegExp | string): Locator {
        return this.notificationToasts().filter({ has: this.page.locator('.notification-list-item-message', { hasText: message }) });
    }

    /** A visible error notification (red error icon) whose message matches. */
    errorNotification(message: RegExp | string): Locator {
        return this.notification(message).filter({ has: this.page.locator('.notification-list-item-icon.codicon-error') });
    }

    /** Texts of all visible notification messages. */
    async notificationMessages(): Promise<string[]> {
        return this.page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
    }

    async clearNotifications(): Promise<void> {
        await this.findCommand('Notifications: Clear All Notifications');
        await this.page.keyboard.press('Enter');
    }

    /** The bottom panel (Output, Problems, Terminal…). */
    panel(): Locator {
        return this.page.locator('#workbench\\.parts\\.panel');
    }

    /** The channel selected in the Output view's dropdown. */
    async selectedOutputChannel(): Promise<string> {
        const select = this.panel().locator('.monaco-select-box');
        await select.first().waitFor({ state: 'visible', timeout: 10_000 });
        return select.first().evaluate(el => {
            const s = el as HTMLSelectElement;
            return s.options?.[s.selectedIndex]?.text ?? s.title ?? '';
        });
    }

    /** Lines shown in the Output view's editor. */
    async outputText(): Promise<string> {
        // The editor renders spaces as U+00A0.
        return (await this.panel().locator('.monaco-editor .view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    }

    /** The editor that has focus, or the first visible one. */
    activeEditor(): Locator {
        return this.page.locator('.editor-group-container.active .monaco-editor').first();
    }

    /** Clicks the editor tab whose label contains `label` (a webview panel's title too), showing it in its group. */
    async showTab(label: string, timeoutMs = defaultTimeoutMs): Promise<void> {
        const tab = this.page.locator('.tabs-container .tab').filter({ hasText: label }).first();
        await tab.waitFor({ state: 'visible', timeout: timeoutMs });
        await tab.click();
    }

    /**
     * Reloads the window (what Developer: Reload Window does): a new extension host, and the webview panels that were
     * open come back through their serializers.
     */
    async reload(timeoutMs = 60_000): Promise<void> {
        await this.page.reload();
        await this.waitReady(timeoutMs);
    }

    /**
     * A reload once VS Code has saved the workbench's state. VS Code on the web writes that state (a webview's
     * setState included) to its browser storage when idle about once a minute, and at unload only as far as the page
     * lives: reloaded sooner, a webview may come back with an older state. Seen on a fast machine: the Decoding Lab
     * restored as it was before its first decode finished, every time; waiting past the save interval restored its
     * last state, every time.
     */
    async reloadAfterStateSaved(timeoutMs = 60_000): Promise<void> {
        await this.page.waitForTimeout(storageSaveIntervalMs + 5_000);
        await this.reload(timeoutMs);
    }

    /** Opens a workspace file through Quick Open, as a user would. */
    async openFile(relativePath: string): Promise<void> {
        const name = relativePath.split('/').pop()!;
        // A file written a moment ago may be missing from Quick Open's first search (the file watcher and ripgrep
        // catch up later, slowly on a busy machine); reopening Quick Open searches again.
        for (let attempt = 1; ; attempt++) {
            await this.page.keyboard.press('Control+P');
            await this.quickInputBox.waitFor({ state: 'visible', timeout: 10_000 });
            await this.quickInputBox.fill(relativePath);
            const found = await this.quickPickRows().filter({ hasText: name }).first()
                .waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false);
            if (found) {
                await this.page.keyboard.press('Enter');
                break;
            }
            await this.page.keyboard.press('Escape');
            if (attempt === 2) {
                // Seen in code-server here: the Explorer lists a new file while Quick Open's cached file list never
                // does. Open it from the Explorer then, as a user would.
                const row = this.page.locator('.explorer-folders-view .monaco-list-row')
                    .filter({ has: this.page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) }).first();
                await row.waitFor({ state: 'visible', timeout: defaultTimeoutMs });
                await row.dblclick();
                break;
            }
        }
        await this.page.locator(`.tab[data-resource-name="${name}"], .tab[aria-label^="${name}"]`).first().waitFor({ state: 'visible', timeout: defaultTimeoutMs });
    }

    /**
     * Clicks the token whose text is exactly `token` on the first rendered line containing `lineText`,
     * then reads VS Code's "Inspect Editor Tokens and Scopes" widget for it: the language, token type
     * and TextMate scopes the grammar gave that token. Waits for the grammar to split the line into
     * tokens (tokenization runs after the first paint).
     */
    async inspectToken(token: string, lineText: string): Promise<string> {
        // A RegExp, because a string would match case-insensitively.
        const line = this.activeEditor().locator('.view-line').filter({ hasText: new RegExp(escapeRegExp(lineText).replace(/ /g, '[ \u00a0]')) }).first();
        const span = line.locator('span span').filter({ hasText: new RegExp(`^${escapeRegExp(token)}$`) }).first();
        await span.waitFor({ state: 'visible', timeout: defaultTimeoutMs });
        await span.click();
        await this.runCommand('Developer: Inspect Editor Tokens and Scopes');
        const widget = this.page.locator('.token-inspect-widget');
        await widget.waitFor({ state: 'visible', timeout: 10_000 });
        // The widget fills in the TextMate part asynchronously.
        await this.page.waitForFunction(() => /textmate scopes/i.test(document.querySelector('.token-inspect-widget')?.textContent ?? ''), undefined, { timeout: 10_000 });
        return (await widget.innerText()).replace(/\u00a0/g, ' ');
    }

    /** Closes the token inspector (and any other editor widget) by moving focus into the editor and pressing Escape. */
    async closeEditorWidgets(): Promise<void> {
        await this.page.keyboard.press('Escape');
        await this.page.locator('.token-inspect-widget').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    }

    /** The inner document of a webview panel (VS Code nests our page two iframes deep). */
    webview(): FrameLocator {
        return this.page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    }

    /**
     * The inner document of the webview whose page contains `selector`, for when several webviews are open
     * (a side view and a panel): VS Code nests each page two iframes deep, and the frame locator above would
     * match them all. Waits until the page has rendered that element.
     */
    async webviewFrame(selector: string, timeoutMs = 60_000): Promise<Frame> {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
            for (const frame of this.page.frames()) {
                if (frame === this.page.mainFrame()) continue;
                const found = await frame.locator(selector).count().catch(() => 0);
                if (found > 0) return frame;
            }
            if (Date.now() > deadline) {
                throw new Error(`no webview shows ${selector} after ${timeoutMs} ms (frames: ${this.page.frames().map(f => f.url().slice(0, 100)).join(' | ')})`);
            }
            await this.page.waitForTimeout(250);
        }
    }

    /** The text editor showing the document whose URI ends with `uriSuffix` (Monaco puts the URI in data-uri). */
    editorOf(uriSuffix: string): Locator {
        return this.page.locator(`.monaco-editor[data-uri$="${uriSuffix}"]`).first();
    }

    /** The lines an editor shows, top to bottom (spaces as spaces, not U+00A0). */
    async editorText(editor: Locator): Promise<string> {
        return editor.locator('.view-lines').first().evaluate(lines => [...lines.querySelectorAll<HTMLElement>('.view-line')]
            // Monaco reuses line nodes, so their DOM order is not the line order: sort by their position.
            .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
            .map(line => (line.textContent ?? '').replace(/\u00a0/g, ' '))
            .join('\n'));
    }

    /** Saves a full-page screenshot to test-results/e2e/<name>.png and returns its path. */
    async screenshot(name: string): Promise<string> {
        mkdirSync(resultsDir, { recursive: true });
        const path = join(resultsDir, `${name}.png`);
        // Let toasts finish fading in, so the picture shows what the assertions saw.
        await this.page.waitForFunction(() => [...document.querySelectorAll('.notifications-toasts .notification-toast')]
            .every(toast => getComputedStyle(toast).opacity === '1' && getComputedStyle(toast).transform === 'none'), undefined, { timeout: 2_000 }).catch(() => undefined);
        await this.page.screenshot({ path, fullPage: true });
        return path;
    }
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
