// Vite's raw imports: a file's text (test/troubleshooting.test.ts reads a docs page this way).
declare module "*?raw" {
  const text: string;
  export default text;
}
