export declare const okBody: Buffer
