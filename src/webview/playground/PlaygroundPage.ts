import type { HostConnection } from '../shared/HostConnection';
import type { FieldError, HostState, PlaygroundForm } from '../../shared/protocols/playground';
import type { FormControls } from './FormControls';

/**
 * What the playground's sections share: the form as typed (each section edits its part of it), the host's last
 * state, the connection, and the form's controls. The page (PlaygroundApp) owns them and composes the sections.
 */
export interface PlaygroundPage {
    readonly connection: HostConnection;
    readonly controls: FormControls;
    form: PlaygroundForm;
    readonly host: HostState | undefined;
    /** After every edit: validate and keep the page's state; `commit` (a finished edit) also tells the host. */
    changed(commit: boolean): void;
    /** Validates as a Run does (an empty prompt is flagged too, from now on); returns every error. */
    validateForRun(): FieldError[];
}
