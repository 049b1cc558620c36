import { render } from 'preact';
function App() { return <button id="req" onClick={async () => { const ok = await browser.permissions.request({ origins: ['<all_urls>'] }); document.title = 'granted:' + ok; }}>Hello</button>; }
render(<App />, document.getElementById('app')!);
