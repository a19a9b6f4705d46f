// Driving @vscode-elements components (the playground's controls) from Playwright: their native controls sit in
// open shadow roots, which CSS locators pierce (`#grammar textarea`), but a vscode-single-select has no <select>
// for selectOption.
import type { Locator } from 'playwright-core';

/** Picks `value` in a vscode-single-select as a user's choice does: the value changes and `change` fires. */
export async function chooseOption(select: Locator, value: string): Promise<void> {
    await select.evaluate((node, chosen) => {
        const element = node as HTMLElement & { value: string };
        element.value = chosen;
        element.dispatchEvent(new Event('change'));
    }, value);
}

/** The value of a vscode-single-select (or any component with a `value`). */
export function valueOf(control: Locator): Promise<string> {
    return control.evaluate(node => (node as HTMLElement & { value: string }).value);
}
