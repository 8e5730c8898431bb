/**
 * The registry of subcommands, in the order `pvt --help` lists them.
 */
import type { CommandSpec } from '../command.ts';
import { chatCommand } from './chat.ts';
import { circuitsCommand } from './circuits.ts';
import { completionCommand } from './completion.ts';
import { configCommand } from './config.ts';
import { contactsCommand } from './contacts.ts';
import { daemonCommand } from './daemon.ts';
import { exportCommand } from './export.ts';
import { importCommand } from './import.ts';
import { initCommand } from './init.ts';
import { inviteCommand } from './invite.ts';
import { joinCommand } from './join.ts';
import { logCommand } from './log.ts';
import { mailboxCommand } from './mailbox.ts';
import { natCommand } from './nat.ts';
import { noteCommand } from './note.ts';
import { relayCommand } from './relay.ts';
import { relaysCommand } from './relays.ts';
import { removeCommand } from './remove.ts';
import { renameCommand } from './rename.ts';
import { sendCommand } from './send.ts';
import { serviceCommand } from './service.ts';
import { statusCommand } from './status.ts';
import { stopCommand } from './stop.ts';
import { verifyCommand } from './verify.ts';
import { whoamiCommand } from './whoami.ts';

export const COMMANDS: readonly CommandSpec[] = [
  chatCommand,
  initCommand,
  whoamiCommand,
  inviteCommand,
  joinCommand,
  verifyCommand,
  contactsCommand,
  renameCommand,
  removeCommand,
  sendCommand,
  logCommand,
  noteCommand,
  statusCommand,
  natCommand,
  mailboxCommand,
  relayCommand,
  relaysCommand,
  circuitsCommand,
  configCommand,
  daemonCommand,
  stopCommand,
  completionCommand,
  exportCommand,
  importCommand,
  serviceCommand,
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
