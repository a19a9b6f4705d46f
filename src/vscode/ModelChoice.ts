import type { ModelRef } from '../core/model/modelRef';
import type { PathOrigin } from './workspaceTrust';

/** A model to load, as chosen (before path resolution and trust checks). */
export interface ModelChoice {
    /** As written: a path (possibly relative, with `~` or `${workspaceFolder}`) or an `hf:` URI. */
    ref: ModelRef;
    origin: PathOrigin;
    /** What to load instead when the user declines a workspace's choice: the user's own setting. */
    fallback?: ModelRef;
    /** Whether it came from the `promptscope.model` setting (so a change of that setting replaces it). */
    fromSettings?: boolean;
    /** For `workspaceFile`: path of the file that names the model (shown when asking for confirmation). */
    source?: string;
}
