// Dotprompt renders with `handlebars/dist/cjs/handlebars.js`; importing the same file gives us the very
// instance (and parser) it uses. The package only types its main entry, so borrow those types here.
declare module 'handlebars/dist/cjs/handlebars.js' {
    import Handlebars from 'handlebars';
    export default Handlebars;
}
