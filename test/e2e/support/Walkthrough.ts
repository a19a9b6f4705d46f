import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { extensionFolder } from './paths';
import type { Workbench } from './Workbench';

/** A walkthrough step as package.json contributes it. */
export interface ManifestStep {
    id: string;
    title: string;
    description: string;
    media: { markdown?: string; image?: string; svg?: string };
    completionEvents?: string[];
}

/** A walkthrough as package.json contributes it. */
export interface ManifestWalkthrough {
    id: string;
    title: string;
    steps: ManifestStep[];
}

/** The walkthroughs the extension manifest contributes, read fresh. */
export function manifestWalkthroughs(): ManifestWalkthrough[] {
    const manifest = JSON.parse(readFileSync(join(extensionFolder, 'package.json'), 'utf8')) as { contributes?: { walkthroughs?: ManifestWalkthrough[] } };
    return manifest.contributes?.walkthroughs ?? [];
}

/** The buttons of a step: VS Code turns a description line holding only a `[label](command:…)` link into one. */
export function stepButtons(step: ManifestStep): { label: string; href: string }[] {
    return step.description.split('\n').map(line => /^\[([^\]]+)\]\((command:[^)]+)\)$/.exec(line.trim())).filter(m => m !== null).map(m => ({ label: m[1]!, href: m[2]! }));
}

/**
 * A walkthrough in VS Code's Welcome page, seen the way a user sees it: opened from the palette (Welcome: Open
 * Walkthrough…), its steps clicked to expand them, their buttons clicked.
 */
export class Walkthrough {
    constructor(private readonly workbench: Workbench, readonly title: string) {}

    /** Opens it through "Welcome: Open Walkthrough..." and the quick pick of walkthroughs. */
    async open(): Promise<void> {
        await this.workbench.runCommand('Welcome: Open Walkthrough...');
        await this.workbench.pickQuickPickRow(this.title);
        await this.page.locator('.gettingStartedContainer .getting-started-step').first().waitFor({ state: 'visible', timeout: 30_000 });
    }

    private get page() {
        return this.workbench.page;
    }

    /** Shows the walkthrough's editor tab again (after a button opened something beside it). */
    async show(): Promise<void> {
        await this.workbench.showTab('Walkthrough:');
    }

    /** The titles of its steps, top to bottom. */
    async stepTitles(): Promise<string[]> {
        return this.page.locator('.gettingStartedContainer .getting-started-step .step-title').allInnerTexts();
    }

    step(title: string): Locator {
        return this.page.locator('.gettingStartedContainer .getting-started-step').filter({ has: this.page.locator('.step-title', { hasText: title }) });
    }

    /**
     * Expands a step (clicking its title, as a user does) and returns it once expanded and focused. VS Code focuses a
     * step it expands after its expand animation (a timer), which would close a quick input a button opened meanwhile,
     * so a button is clicked only once that focus has arrived, as it has by the time a person moves the mouse there.
     */
    async select(title: string): Promise<Locator> {
        const step = this.step(title);
        if ((await step.getAttribute('aria-expanded')) !== 'true') {
            await step.locator('.step-title').click();
            await this.page.waitForFunction(element => document.activeElement === element, await step.elementHandle(), { timeout: 10_000 });
            // Its page (a webview beside the steps) has rendered too: loading it can move the focus as well.
            await this.workbench.webviewFrame(`h1:text-is(${JSON.stringify(title)})`, 30_000);
        }
        await this.page.locator(`.gettingStartedContainer .getting-started-step.expanded`).filter({ has: this.page.locator('.step-title', { hasText: title }) }).waitFor({ state: 'visible', timeout: 10_000 });
        return step;
    }

    /** The labels of the buttons an expanded step shows. */
    async buttonLabels(title: string): Promise<string[]> {
        return (await this.select(title)).locator('.button-container .monaco-button').allInnerTexts();
    }

    /** Expands a step and clicks its button labelled `label`. */
    async clickButton(title: string, label: string): Promise<void> {
        const step = await this.select(title);
        await step.locator('.button-container .monaco-button').filter({ hasText: label }).click();
    }

    /** Whether VS Code shows the step as done (its checkbox ticked). */
    async isDone(title: string): Promise<boolean> {
        return (await this.step(title).getAttribute('aria-checked')) === 'true';
    }
}
