// Progressive enhancement of the newsletter's progress page: its figures are read every few seconds
// from the page's JSON twin and written into the page. Without this script the page works as it is
// (its "Refresh the figures" link loads it again).
const root = document.querySelector('[data-progress-url]');

if (root) {
  const url = root.getAttribute('data-progress-url');
  const every = 2000;
  const number = new Intl.NumberFormat('en-GB');
  const set = (id, text) => {
    const element = document.getElementById(id);
    if (element && element.textContent !== text) element.textContent = text;
  };
  const statusText = (p) =>
    p.status === 'sent'
      ? 'Sent: 100% done.'
      : p.status === 'paused'
        ? `Paused at ${p.percent}%.`
        : `${p.percent}% done.`;

  let status = root.getAttribute('data-progress-status');
  const poll = async () => {
    if (document.hidden) return;
    const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (!response.ok) return;
    const p = await response.json();
    set('progress-status', statusText(p));
    const bar = document.getElementById('progress-bar');
    if (bar) {
      bar.value = p.percent;
      bar.textContent = `${p.percent}%`;
    }
    set('progress-recipients', number.format(p.recipients));
    set('progress-sent', number.format(p.sent));
    set('progress-failed', number.format(p.failed));
    set('progress-bounced', number.format(p.bounced));
    set('progress-per-second', p.perSecond === null ? 'Not known yet' : String(p.perSecond));
    set(
      'progress-time-left',
      p.status === 'sent'
        ? 'None'
        : p.secondsLeft === null
          ? 'Not known yet'
          : `About ${number.format(p.secondsLeft)} seconds`,
    );
    // A send that finished or was paused elsewhere: the page's actions change, so load it again.
    if (p.status !== status) {
      status = p.status;
      window.location.reload();
    }
  };
  const loop = () => {
    poll()
      .catch(() => undefined)
      .finally(() => window.setTimeout(loop, every));
  };
  if (status === 'sending') window.setTimeout(loop, every);
}
