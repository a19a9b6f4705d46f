import { FrontMatterError } from './errors/FrontMatterError';
import { InvalidInputError } from './errors/InvalidInputError';
import { NulCharacterError } from './errors/NulCharacterError';
import { PartialCycleError } from './errors/PartialCycleError';
import { PartialNotFoundError } from './errors/PartialNotFoundError';
import { PartialReadError } from './errors/PartialReadError';
import { PromptConfigError } from './errors/PromptConfigError';
import type { PromptError, PromptErrorLocation } from './errors/PromptError';
import { PromptSchemaError } from './errors/PromptSchemaError';
import { TemplateNestingError } from './errors/TemplateNestingError';
import { TemplateSyntaxError } from './errors/TemplateSyntaxError';
import { UnsupportedContentError } from './errors/UnsupportedContentError';
import type { PromptDiagnostic } from './PromptDiagnostic';

/**
 * The typed error a run fails with for an error-severity diagnostic: the same message and position the editor
 * squiggles, as the class callers check with `instanceof`. A fault inside a partial points into the partial.
 */
export function diagnosticError(diagnostic: PromptDiagnostic, path: string | undefined): PromptError {
    const location: PromptErrorLocation = diagnostic.related === undefined
        ? { path, range: diagnostic.range }
        : { path: diagnostic.related.path ?? path, range: diagnostic.related.range };
    const { message } = diagnostic;
    switch (diagnostic.code) {
        case 'front-matter-unclosed': case 'yaml-syntax': case 'yaml-warning': case 'front-matter-not-mapping':
        case 'unknown-front-matter-key': case 'invalid-front-matter-value':
            return new FrontMatterError(message, location);
        case 'config-not-mapping': case 'unknown-config-key': case 'invalid-config-value': case 'invalid-grammar':
        case 'grammar-and-schema': case 'nested-promptscope-settings': case 'unknown-promptscope-setting':
        case 'invalid-promptscope-setting':
            return new PromptConfigError((diagnostic.path ?? [diagnostic.subject ?? '']).join('.'), message, location);
        case 'input-schema': case 'output-schema':
            return new PromptSchemaError(message, location);
        case 'invalid-default':
            return new InvalidInputError(message, location);
        case 'unknown-partial':
            return new PartialNotFoundError(diagnostic.subject ?? '', message, location);
        case 'unreadable-partial':
            return new PartialReadError(diagnostic.subject ?? '', message, location);
        case 'partial-cycle':
            return new PartialCycleError(diagnostic.chain ?? [], message, location);
        case 'nul-character':
            return new NulCharacterError(message, location);
        case 'unsupported-media':
            return new UnsupportedContentError(message, location);
        case 'template-nesting':
            return new TemplateNestingError(message, location);
        case 'template-syntax': case 'unknown-helper': case 'helper-arguments': case 'partial-syntax': case 'unknown-role':
        case 'undeclared-variable':
            return new TemplateSyntaxError(message, location);
    }
}
