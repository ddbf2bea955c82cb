// Stylesheets imported for esbuild to bundle into media/dist/webview.css.
declare module '*.css';
