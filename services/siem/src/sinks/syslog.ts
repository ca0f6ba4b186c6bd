import { readFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { z } from 'zod';
import { AppError } from '@atlas-audit/shared/errors';
import type { syslogSinkSchema } from '../config.ts';
import { renderAlertSyslog } from '../core/syslog-alert.ts';
import { frameOctetCounting } from '../core/syslog.ts';
import type { AlertItem, Identity, Sink } from './sink.ts';

type SyslogConfig = z.output<typeof syslogSinkSchema>;

function unavailable(config: SyslogConfig, what: string): AppError {
  return new AppError(`sink ${config.name}: syslog ${config.transport} ${what}`, { code: 'SINK_UNAVAILABLE', retryable: true, details: { sink: config.name } });
}

/**
 * Syslog over TCP or TLS (RFC 5425) with octet-counting framing (RFC 6587): RFC 5424 messages
 * carrying CEF or LEEF. One persistent connection, re-opened after any error. Syslog has no
 * application acknowledgement: a batch counts as delivered once the socket flushed it.
 */
export function createSyslogSink(config: SyslogConfig, identity: Identity): Sink {
  const ca = config.caFile ? readFileSync(config.caFile) : undefined;
  let socket: Socket | undefined;
  let broken = false;

  function open(signal: AbortSignal): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        cleanup();
        s.destroy();
        reject(unavailable(config, `connect failed (${err.message})`));
      };
      const onAbort = (): void => onError(new Error('timed out'));
      const readyEvent = config.transport === 'tls' ? 'secureConnect' : 'connect';
      const s: Socket =
        config.transport === 'tls'
          ? connectTls({ host: config.host, port: config.port, rejectUnauthorized: config.rejectUnauthorized, servername: config.serverName ?? config.host, ...(ca ? { ca } : {}) })
          : connectTcp({ host: config.host, port: config.port });
      const cleanup = (): void => {
        s.off('error', onError);
        s.off(readyEvent, onReady);
        signal.removeEventListener('abort', onAbort);
      };
      const onReady = (): void => {
        cleanup();
        s.setKeepAlive(true, 30_000);
        s.on('error', () => {
          broken = true;
        });
        s.on('close', () => {
          broken = true;
        });
        // Receivers do not talk back; drain anything they send so the socket never stalls.
        s.on('data', () => {});
        resolve(s);
      };
      s.once('error', onError);
      s.once(readyEvent, onReady);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  return {
    name: config.name,
    type: 'syslog',
    async deliver(items: readonly AlertItem[], signal: AbortSignal) {
      if (socket === undefined || broken || socket.destroyed) {
        socket?.destroy();
        broken = false;
        socket = await open(signal);
      }
      const options = { format: config.format, device: identity.device, hostname: identity.hostname, appName: config.appName, facility: config.facility };
      const payload = Buffer.concat(items.map((i) => frameOctetCounting(renderAlertSyslog(i.alert, options))));
      const s = socket;
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          broken = true;
          reject(unavailable(config, 'write timed out'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        s.write(payload, (err) => {
          signal.removeEventListener('abort', onAbort);
          if (err) {
            broken = true;
            reject(unavailable(config, `write failed (${err.message})`));
          } else resolve();
        });
      });
      if (broken) throw unavailable(config, 'connection closed during write');
    },
    async close() {
      const s = socket;
      socket = undefined;
      if (s === undefined || s.destroyed) return;
      await new Promise<void>((resolve) => {
        s.end(() => resolve());
        setTimeout(() => {
          s.destroy();
          resolve();
        }, 2_000).unref();
      });
    },
  };
}
