// `?raw` imports: a file's text as a string. The worker imports its stylesheet and browser scripts this
// way (src/dashboard/assets.ts; wrangler.toml's Text rule), and test/api/troubleshooting.test.ts a docs page.
declare module "*?raw" {
  const text: string;
  export default text;
}
