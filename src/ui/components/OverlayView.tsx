/**
 * Picks the panel component for what the overlay state shows (help, invite, join, SAS prompt, safety
 * number, contacts, remove question, port-mapping and relay questions, mailbox suggestions, notice). Presentational: everything comes in through props.
 */
import type { ContactView, PendingJoinView } from '../../app/api.ts';
import { suggestionLines } from '../format/mailbox.ts';
import { sanitizeLine } from '../format/text.ts';
import type { Layout } from '../layout.ts';
import type { Visible } from '../state/overlay.ts';
import { ContactList } from './ContactList.tsx';
import { HelpOverlay } from './HelpOverlay.tsx';
import { InvitePanel } from './InvitePanel.tsx';
import { JoinFailedPanel, JoiningPanel } from './JoinPanel.tsx';
import { MessagePanel } from './MessagePanel.tsx';
import { Panel } from './Panel.tsx';
import { SafetyPanel } from './SafetyPanel.tsx';
import { SasPrompt } from './SasPrompt.tsx';
import { Spinner } from './Spinner.tsx';

export interface OverlayViewProps {
  readonly visible: Visible;
  readonly layout: Layout;
  readonly contacts: readonly ContactView[];
  /** Offline joins in progress (listed under the contacts). */
  readonly joining: readonly PendingJoinView[];
  readonly now: number;
  /** SAS prompts queued after the one shown. */
  readonly waiting: number;
  readonly armed: boolean;
}

export function OverlayView(props: OverlayViewProps) {
  const { visible, layout } = props;
  const width = layout.panelWidth;
  switch (visible.kind) {
    case 'sas':
      return <SasPrompt prompt={visible.prompt} waiting={props.waiting} armed={props.armed} width={width} />;
    case 'help':
      return <HelpOverlay width={width} height={layout.panelRows} offset={visible.offset} />;
    case 'invite-creating':
      return (
        <Panel title="Invite someone" hint="Esc closes" width={width}>
          <Spinner label="creating a single-use invite…" />
        </Panel>
      );
    case 'invite':
      return <InvitePanel invite={visible.invite} layout={layout} now={props.now} />;
    case 'joining':
      return <JoiningPanel width={width} waiting={visible.waiting === true} />;
    case 'join-failed':
      return <JoinFailedPanel message={visible.message} width={width} />;
    case 'safety':
      return <SafetyPanel contact={visible.contact} number={visible.number} layout={layout} />;
    case 'contacts':
      return (
        <ContactList
          contacts={props.contacts}
          joining={props.joining}
          width={width}
          rows={layout.panelRows}
        />
      );
    case 'confirm-remove': {
      const name = sanitizeLine(visible.name);
      return (
        <MessagePanel
          title={`Remove ${name}?`}
          lines={[
            `This deletes ${name}, your conversation with them and the session keys. It cannot be undone; to chat again, one of you invites the other.`,
          ]}
          tone="question"
          keys="[y] remove · [n] keep"
          hint="Esc keeps"
          width={width}
        />
      );
    }
    case 'port-mapping':
      return (
        <MessagePanel
          title="Open a port on your router?"
          lines={[
            'So that contacts can reach you directly, pvt can ask your router to forward one TCP port to this computer (PCP, NAT-PMP or UPnP). It is given back when pvt stops. Without it, you can still reach contacts who can be reached.',
            'Your answer is remembered for this profile; pvt --no-port-mapping overrides it for one run.',
          ]}
          tone="question"
          keys="[y] allow · [n] don’t"
          hint="Esc asks again next time"
          width={width}
        />
      );
    case 'relay':
      return (
        <MessagePanel
          title="Relay onion circuits for other pvt users?"
          lines={[
            'Your node can be reached from outside, so it can pass encrypted onion cells for other pvt users (it never sees what they carry, nor who talks to whom). It costs bandwidth; it is off by default.',
            'Your answer is remembered for this profile; /relay on|off or pvt relay on|off changes it.',
          ]}
          tone="question"
          keys="[y] relay · [n] don’t"
          hint="Esc asks again next time"
          width={width}
        />
      );
    case 'mailboxes': {
      const s = visible.suggestions;
      const n = s.candidates.length;
      return (
        <MessagePanel
          title={visible.asked ? 'Choose mailboxes?' : 'Mailboxes you could add'}
          lines={suggestionLines(s)}
          tone="question"
          keys={`[${n === 1 ? '1' : `1–${n}`}] add${visible.asked ? ' · [n] don’t suggest again' : ''}`}
          hint={visible.asked ? 'Esc: later (/mailbox lists them)' : 'Esc closes'}
          width={width}
        />
      );
    }
    case 'notice':
      return (
        <MessagePanel
          title={visible.title}
          lines={visible.lines}
          tone={visible.tone}
          keys={null}
          hint="Esc closes"
          width={width}
        />
      );
  }
}
