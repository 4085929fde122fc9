/**
 * Sends the ErrorsEmail notifications the store records when a webhook is switched off, through the SMTP
 * server of HOOKD_SMTP_URL (nodemailer). Without one they stay in the store, readable by the host.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../lib/clock.js';
import type { Notifications } from '../store/notifications.js';

/** How often the store is asked for unsent notifications: they are rare, so a few seconds is prompt enough. */
const POLL_MS = 2000;

export class MailSender {
  private readonly transport: Transporter;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { notifications: Notifications; clock: Clock; logger: Logger; smtpUrl: string; from: string; pollMs?: number },
  ) {
    this.transport = nodemailer.createTransport(deps.smtpUrl);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(async () => {
        await this.sendPending();
      });
    }, this.deps.pollMs ?? POLL_MS);
    this.timer.unref();
  }

  /** Sends every unsent notification; one that fails stays unsent and is tried again later. */
  async sendPending(): Promise<number> {
    let sent = 0;
    for (const n of await this.deps.notifications.unsentNotifications(50)) {
      try {
        await this.transport.sendMail({ from: this.deps.from, to: n.recipient, subject: n.subject, text: n.body });
        await this.deps.notifications.markNotificationSent(n.id, this.deps.clock.now());
        sent++;
      } catch (e) {
        this.deps.logger.warn({ err: e, notification: n.id }, 'sending an ErrorsEmail failed; it will be tried again');
      }
    }
    return sent;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    this.transport.close();
  }
}
