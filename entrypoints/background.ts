export default defineBackground({
  type: 'module',
  main() {
    browser.runtime.onMessage.addListener((msg: any, sender) => {
      if (msg?.type === 'ping-offscreen') return pingOffscreen(msg.url);
    });
  },
});
async function pingOffscreen(url: string) {
  const ctxs = await (chrome as any).runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
  if (!ctxs.length) await chrome.offscreen.createDocument({ url: 'offscreen.html', reasons: ['WORKERS' as any], justification: 'Run C2PA validation and frame hashing off the main thread.' });
  return browser.runtime.sendMessage({ type: 'offscreen-check', url });
}
