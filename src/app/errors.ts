/**
 * Domain errors of the app layer, each with a stable `code` for the CLI and the UI.
 */
export class AppError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = code;
  }
}

export class MessageTooLongError extends AppError {
  constructor(bytes: number, max: number) {
    super('MessageTooLong', `message too long: ${bytes} bytes, the limit is ${max} bytes`);
  }
}

export class EmptyMessageError extends AppError {
  constructor() {
    super('EmptyMessage', 'message is empty');
  }
}

export class InvalidDisplayNameError extends AppError {
  constructor(reason: string) {
    super('InvalidDisplayName', `invalid display name: ${reason}`);
  }
}

export class ClosedError extends AppError {
  constructor() {
    super('Closed', 'pvt is shutting down');
  }
}
