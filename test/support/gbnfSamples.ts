// GBNF grammars shared by the checker's unit tests and its cross-check against the runtime.

/** A JSON-ish grammar in the style of llama.cpp's grammars/json.gbnf: comments, classes, escapes, groups, repetitions. */
export const jsonishGrammar = String.raw`# JSON-ish
root   ::= object
value  ::= object | array | string | number | ("true" | "false" | "null") ws

object ::=
  "{" ws (
            string ":" ws value
    ("," ws string ":" ws value)*
  )? "}" ws

array  ::=
  "[" ws (
            value
    ("," ws value)*
  )? "]" ws

string ::=
  "\"" (
    [^"\\\x7F\x00-\x1F] |
    "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4,4}) # escapes
  )* "\"" ws

number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws
ws ::= | " " | "\n" [ \t]{0,20}
`;

/** Grammars core checkGbnf accepts; the runtime must accept them too (test/runtime/gbnf-crosscheck.test.ts). */
export const acceptedGrammars = [
    jsonishGrammar,
    'root ::= ("yes" | "no") " " [0-9] [0-9]?',
    'root ::= item{2}\nitem ::= [a-z]{1,3} "\\u00e9" [\\-\\]x]',
    'root ::= "a" |\n  "b" # trailing comment\n',
    // A bounded repetition of a rule that may be empty is a chain of rules, not a loop: no left recursion.
    'root ::= ws{0,3} "a"\nws ::= | " "',
    // Recursion after a terminal is not left recursion.
    'root ::= "(" root ")" | "x"',
];

/** Left-recursive grammars: checkGbnf finds each as llama.cpp does, and llama.cpp refuses each when the grammar is used. */
export const leftRecursiveGrammars = [
    'root ::= root "a" | "b"',
    'root ::= x\nx ::= y\ny ::= x "a"',
    'root ::= (root "a") | "b"',
    // Rules that may be empty (an empty alternative) are passed over: `e` and `x?` can match nothing.
    'e ::= ""\nroot ::= e root | "a"',
    'root ::= x? root "a" | "b"\nx ::= "x"',
    // An unbounded repetition of something that may be empty loops on itself.
    'root ::= ws* "a"\nws ::= | " "',
];

/** Grammars checkGbnf rejects that llama.cpp rejects as well (not the two checks where the checker is stricter). */
export const rejectedGrammars = [
    'root ::= "yes" | "no',
    'root ::= greeting\ngreeting ::= "hi" " " name\n',
    'root ::= my_rule\nmy_rule ::= "a"',
    'start ::= "a"',
];
