/**
 * The playground's controls, from @vscode-elements/elements (imported here only, so no other webview bundle carries
 * them). The components style themselves with the theme's --vscode-* variables through constructable stylesheets
 * (adoptedStyleSheets), which the webview CSP does not govern, so `style-src` needs no 'unsafe-inline'. Each
 * factory sets the accessible name on the component (`label`/`aria-label`, which the component passes on to its
 * inner control) besides the visible <label for>, so screen readers and keyboard users get the same form.
 */
import './litNonce';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeButton } from '@vscode-elements/elements/dist/vscode-button/vscode-button.js';
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { el } from '../shared/dom';

export type { VscodeButton, VscodeCheckbox, VscodeSingleSelect, VscodeTextarea, VscodeTextfield };

/** A text control of the form: a text field or a text area. */
export type TextControl = VscodeTextfield | VscodeTextarea;

export interface ButtonOptions {
    /** A secondary (less prominent) button. Defaults to primary. */
    secondary?: boolean;
    /** Element id (tests and labels find the button by it). Defaults to none. */
    id?: string;
    /** Hover text, e.g. the keyboard shortcut. Defaults to none. */
    title?: string;
    /** Accessible name when the text alone is ambiguous (e.g. "Remove" in a list). Defaults to the text. */
    ariaLabel?: string;
}

export function button(text: string, options: ButtonOptions = {}): VscodeButton {
    const node = el('vscode-button', {
        text,
        attrs: {
            ...(options.id !== undefined ? { id: options.id } : {}),
            ...(options.ariaLabel !== undefined ? { 'aria-label': options.ariaLabel } : {}),
        },
        ...(options.title !== undefined ? { title: options.title } : {}),
    });
    node.secondary = options.secondary ?? false;
    return node;
}

/**
 * Enables or disables a button. The component takes `disabled` (and leaves the tab order), but announces nothing:
 * aria-disabled tells assistive technology (and Playwright) that it is disabled.
 */
export function setDisabled(node: VscodeButton, disabled: boolean): void {
    node.disabled = disabled;
    node.setAttribute('aria-disabled', String(disabled));
}

/** Runs `action` on click, Enter or Space (the component turns the keys into a click), never while disabled. */
export function onPress(node: VscodeButton, action: () => void): void {
    node.addEventListener('click', () => {
        if (!node.disabled) action();
    });
}

export interface TextfieldOptions {
    /** Defaults to `text`; `password` hides what is typed (a watermark key). */
    type?: 'text' | 'number' | 'password';
    /** Step of a number field. Defaults to the browser's (1). */
    step?: string;
    /** Defaults to none. */
    placeholder?: string;
}

/** A one-line field; `label` is its accessible name (passed on to the inner input). */
export function textfield(id: string | undefined, label: string, options: TextfieldOptions = {}): VscodeTextfield {
    const node = el('vscode-textfield', { attrs: id !== undefined ? { id } : {} });
    node.type = options.type ?? 'text';
    node.label = label;
    if (options.step !== undefined) node.setAttribute('step', options.step);
    if (options.placeholder !== undefined) node.placeholder = options.placeholder;
    return node;
}

/** A multi-line field, vertically resizable, without spellcheck (prompts, grammars and schemas are not prose to correct). */
export function textarea(id: string, label: string, rows: number, placeholder?: string): VscodeTextarea {
    const node = el('vscode-textarea', { attrs: { id } });
    // A property: the component reads a `spellcheck` attribute as a boolean, so even "false" would turn it on.
    node.spellcheck = false;
    node.rows = rows;
    node.label = label;
    node.resize = 'vertical';
    if (placeholder !== undefined) node.placeholder = placeholder;
    return node;
}

export interface CheckboxOptions {
    /** Defaults to none. */
    id?: string;
    /** Accessible name when the visible label is ambiguous (e.g. "Ban" in a list). Defaults to the label. */
    ariaLabel?: string;
}

/** A checkbox whose visible label is `label`. */
export function checkbox(label: string, options: CheckboxOptions = {}): VscodeCheckbox {
    const node = el('vscode-checkbox', {
        text: label,
        attrs: { ...(options.id !== undefined ? { id: options.id } : {}), ...(options.ariaLabel !== undefined ? { 'aria-label': options.ariaLabel } : {}) },
    });
    return node;
}

/** A single select of `options` ([value, text]); `label` names it for assistive technology. */
export function select(id: string, label: string, options: readonly (readonly [string, string])[]): VscodeSingleSelect {
    const node = el('vscode-single-select', { attrs: { id, 'aria-label': label } });
    setOptions(node, options);
    return node;
}

/** Replaces the options of a select (its value is set again by the caller). */
export function setOptions(node: VscodeSingleSelect, options: readonly (readonly [string, string, string?])[]): void {
    node.replaceChildren(...options.map(([value, text, title]) => el('vscode-option', { text, attrs: { value }, ...(title !== undefined ? { title } : {}) })));
}

/** The native element inside a text control, for what the component does not expose (the caret). */
export function nativeTextControl(node: TextControl): HTMLInputElement | HTMLTextAreaElement | undefined {
    return (node as { wrappedElement?: HTMLInputElement | HTMLTextAreaElement }).wrappedElement ?? undefined;
}

/** Enter in a one-line field does what its button does (the fields are not in a <form>, so nothing submits). */
export function onEnter(field: HTMLElement, action: () => void): void {
    field.addEventListener('keydown', event => {
        if (event.key === 'Enter' && !event.ctrlKey && !event.metaKey) {
            event.preventDefault();
            action();
        }
    });
}
