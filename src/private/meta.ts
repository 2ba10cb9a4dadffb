/**
 * An object's namespace and name as findings and plans print them, whatever the object holds (a wrong type reads as
 * unset): the namespace `''` when unset, the name `<unnamed>`.
 */

/** The object's `metadata.namespace`, or `''` when it is unset or not a string. */
export const nsOf = (obj: any): string => (typeof obj?.metadata?.namespace === 'string' ? obj.metadata.namespace : '');

/** The object's `metadata.name`, or `<unnamed>` when it is unset or not a string. */
export const nameOf = (obj: any): string => (typeof obj?.metadata?.name === 'string' ? obj.metadata.name : '<unnamed>');
