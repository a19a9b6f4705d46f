// What the XSS and webview-quality scenarios check inside a webview's own document: that model text which looks like
// HTML stays text (nothing ran, nothing was blocked), and that the page runs under the strict CSP it was given.
import assert from 'node:assert/strict';
import type { ConsoleMessage, Dialog, Frame } from 'playwright-core';
import { eventually } from './eventually';
import type { Workbench } from './Workbench';

export interface ScriptWatch {
    console: string[];
    /** alert()/confirm() calls (a payload such as `onerror=alert(1)` would open one), dismissed at once. */
    dialogs: string[];
    scriptsBefore: number;
    violations(): Promise<string[]>;
    stop(): void;
}

/**
 * Listens for what running a payload would leave: console messages (from every frame, CSP reports included),
 * dialogs, and `securitypolicyviolation` events in the webview's own document.
 */
export async function watchForScripts(workbench: Workbench, frame: Frame): Promise<ScriptWatch> {
    const console: string[] = [];
    const dialogs: string[] = [];
    const onConsole = (m: ConsoleMessage) => console.push(`${m.type()}: ${m.text()}`);
    const onDialog = (d: Dialog) => {
        dialogs.push(`${d.type()}: ${d.message()}`);
        void d.dismiss().catch(() => undefined);
    };
    workbench.page.on('console', onConsole);
    workbench.page.on('dialog', onDialog);
    await frame.evaluate(() => {
        const w = window as unknown as { __violations?: string[] };
        // A page watched before (an earlier scenario in the same view) starts over: its control probe was reported.
        if (w.__violations === undefined) {
            document.addEventListener('securitypolicyviolation', e => w.__violations!.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
        }
        w.__violations = [];
    });
    const scriptsBefore = await frame.evaluate(() => document.scripts.length);
    return {
        console,
        dialogs,
        scriptsBefore,
        violations: () => frame.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
        stop: () => {
            workbench.page.off('console', onConsole);
            workbench.page.off('dialog', onDialog);
        },
    };
}

/** The page shows the payload as text: no element came out of it, and nothing ran or was blocked. */
export async function assertInert(frame: Frame, watch: ScriptWatch): Promise<void> {
    assert.equal(await frame.locator('img').count(), 0, 'no img element in the webview');
    assert.equal(await frame.evaluate(() => document.scripts.length), watch.scriptsBefore, 'no script element was added (only the page\'s own)');
    assert.equal(await frame.evaluate(() => [...document.scripts].filter(s => s.textContent?.includes('XSS-RAN')).length), 0);
    assert.deepEqual(await frame.evaluate(() => document.querySelectorAll('[onerror], [onload]').length), 0);
    assert.deepEqual(await watch.violations(), [], 'no CSP violation in the webview');
    assert.deepEqual(watch.console.filter(m => /XSS-RAN|Content Security Policy|Refused to/.test(m)), [], 'nothing ran and nothing was blocked');
    assert.deepEqual(watch.dialogs, [], 'no alert() ran');
}

/**
 * The listeners above can see an injected handler: an img with an inline onerror added by the test itself is
 * blocked by the CSP and reported, so their silence in assertInert means something.
 */
export async function assertListenersWork(frame: Frame, watch: ScriptWatch): Promise<void> {
    await frame.evaluate(() => {
        const probe = document.createElement('div');
        probe.id = 'xss-probe';
        probe.innerHTML = `<img src="x" onerror="console.log('XSS-CONTROL')">`;
        document.body.append(probe);
    });
    await eventually(async () => assert.ok((await watch.violations()).length > 0, 'the CSP reports the injected inline handler'), 10_000);
    assert.ok(!watch.console.some(m => m.includes('XSS-CONTROL') && m.startsWith('log')), 'the injected handler did not run');
    await frame.evaluate(() => document.getElementById('xss-probe')?.remove());
}

/**
 * The webview's document runs under the page's strict CSP (src/vscode/webview/webviewHtml.ts): nothing by default,
 * scripts only with the page's nonce (no 'unsafe-inline' or 'unsafe-eval' anywhere), styles from the webview's
 * resource origin or with the nonce, and every script element carries that nonce.
 */
export async function assertStrictCsp(frame: Frame): Promise<void> {
    const page = await frame.evaluate(() => ({
        csps: [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')].map(m => m.getAttribute('content') ?? ''),
        // The nonce attribute reads as "" once the page has loaded (Chromium hides it); the property keeps it.
        scripts: [...document.scripts].map(s => ({ id: s.id, nonce: s.nonce, src: s.getAttribute('src') ?? '', inline: (s.textContent ?? '').trim() !== '' })),
    }));
    assert.equal(page.csps.length, 1, 'one CSP meta element');
    const csp = page.csps[0]!;
    const directives = new Map(csp.split(';').map(d => d.trim().split(/\s+/)).filter(d => d[0] !== '').map(([name, ...values]) => [name!, values]));
    assert.deepEqual(directives.get('default-src'), [`'none'`], csp);
    assert.doesNotMatch(csp, /unsafe-(inline|eval|hashes)/, csp);
    const scriptSrc = directives.get('script-src') ?? [];
    assert.equal(scriptSrc.length, 1, `scripts only by nonce: ${csp}`);
    const nonce = /^'nonce-([A-Za-z0-9+/=]{16,})'$/.exec(scriptSrc[0] ?? '')?.[1];
    assert.ok(nonce, `a script nonce: ${csp}`);
    const styleSrc = directives.get('style-src') ?? [];
    // The rest of style-src is webview.cspSource (VS Code's resource origin, which may be a wildcard host).
    assert.ok(styleSrc.includes(`'nonce-${nonce}'`) && styleSrc.length >= 2, `styles from the webview's cspSource or with the nonce: ${csp}`);
    assert.ok(page.scripts.length >= 1, 'the page has its script');
    // VS Code adds the script that defines acquireVsCodeApi (id _vscodeApiScript) itself; the rest are the page's.
    for (const script of page.scripts.filter(s => s.id !== '_vscodeApiScript')) {
        assert.equal(script.nonce, nonce, `script ${script.src || '(inline)'} carries the page's nonce`);
        assert.ok(!script.inline && script.src !== '', 'the page\'s script is a bundle, not inline code');
    }
}
