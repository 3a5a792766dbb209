"""How one service interface meets its protobuf service: each method bound to the RPC of the same
name, its keyword arguments to the request's fields and its result to the response's."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, get_type_hints

from google.protobuf.descriptor import Descriptor, MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message

from shared.errors import InvalidArgument
from shared.wire.convert import (
    field_hints,
    is_dataclass_type,
    message_class,
    unwrap_optional,
)
from shared.wire.from_message import dataclass_from_message, read
from shared.wire.to_message import field_keywords, merge_keywords, message_fields

UPDATE_MASK = "update_mask"


def rpc_key(name: str) -> str:
    """The name an interface method and its RPC share once case and underscores are dropped
    (``get_many_by_id`` and ``GetManyByID``)."""
    return name.replace("_", "").lower()


class BindingError(TypeError):
    """An interface and its protobuf service do not fit together (a programming error)."""


@dataclass(frozen=True)
class MethodBinding:
    """One interface method and its unary RPC."""

    name: str
    rpc: MethodDescriptor
    signature: inspect.Signature
    hints: Mapping[str, Any]
    wire_names: Mapping[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The gRPC path, ``/package.Service/Method``."""
        return f"/{self.rpc.containing_service.full_name}/{self.rpc.name}"

    @cached_property
    def request_class(self) -> type[Message]:
        """The generated request message class."""
        return message_class(self.rpc.input_type)

    @cached_property
    def response_class(self) -> type[Message]:
        """The generated response message class."""
        return message_class(self.rpc.output_type)

    @cached_property
    def parameters(self) -> list[inspect.Parameter]:
        """The keyword parameters of the method, ``self`` left out."""
        return [p for p in self.signature.parameters.values() if p.name != "self"]

    def _wire(self, name: str) -> str:
        return self.wire_names.get(name, name)

    @cached_property
    def _plain_arguments(self) -> dict[str, str] | None:
        """Argument -> field of every parameter when each is a plain ``int``, ``str``, ``bool``
        or ``float`` carried by a singular scalar field without presence, whose value is the
        argument as it is (both sides then skip the conversions); None when any parameter needs
        them."""
        fields = self.request_class.DESCRIPTOR.fields_by_name
        plain: dict[str, str] = {}
        for parameter in self.parameters:
            wire = self._wire(parameter.name)
            field = fields.get(wire)
            if (
                field is None
                or self.hints[parameter.name] not in (int, str, bool, float)
                or field.message_type is not None
                or field.enum_type is not None
                or field.is_repeated
                or field.has_presence
            ):
                return None
            plain[parameter.name] = wire
        return plain

    # -- the client side --------------------------------------------------------------------

    def request_from_call(self, arguments: Mapping[str, Any]) -> Message:
        """The request message of a call with these keyword arguments, built in one constructor
        call; an argument that is None leaves its field unset."""
        plain = self._plain_arguments
        if plain is not None and plain.keys() >= arguments.keys():
            return self.request_class(
                **{plain[name]: value for name, value in arguments.items() if value is not None}
            )
        descriptor: Descriptor = self.request_class.DESCRIPTOR  # type: ignore[assignment]
        fields = descriptor.fields_by_name
        keywords: dict[str, Any] = {}
        for name, value in arguments.items():
            wire = self._wire(name)
            if wire in fields:
                if value is not None:
                    given = field_keywords(fields[wire], value)
                    merge_keywords(descriptor, keywords, given, keep_oneofs=False)
            elif is_dataclass_type(type(value)):
                # A dataclass argument travels flattened into the request's own fields.
                given = message_fields(descriptor, value, self.wire_names)
                merge_keywords(descriptor, keywords, given, keep_oneofs=True)
                if UPDATE_MASK in fields:
                    paths = [
                        name
                        for name in field_hints(type(value))
                        if getattr(value, name) is not None and self._wire(name) in fields
                    ]
                    mask = {UPDATE_MASK: {"paths": paths}}
                    merge_keywords(descriptor, keywords, mask, keep_oneofs=False)
            else:
                raise BindingError(f"{self.path} has no field for argument {name!r}")
        return self.request_class(**keywords)

    def result_from_response(self, response: Message) -> Any:
        """The method's return value carried by a response message."""
        fields = response.DESCRIPTOR.fields
        hint = self.hints["return"]
        if not fields:
            return None
        if len(fields) == 1:
            return read(response, fields[0], hint)
        return dataclass_from_message(response, unwrap_optional(hint)[0])

    # -- the server side --------------------------------------------------------------------

    def arguments_from_request(self, request: Message) -> dict[str, Any]:
        """The keyword arguments a request message stands for; an argument whose field was
        left unset takes the interface's default."""
        plain = self._plain_arguments
        if plain is not None:
            return {name: getattr(request, wire) for name, wire in plain.items()}
        fields = request.DESCRIPTOR.fields_by_name
        arguments: dict[str, Any] = {}
        for parameter in self.parameters:
            hint = self.hints[parameter.name]
            wire = self._wire(parameter.name)
            if wire in fields:
                descriptor = fields[wire]
                unset = descriptor.has_presence and not request.HasField(wire)
                if unset and parameter.default is not inspect.Parameter.empty:
                    continue
                arguments[parameter.name] = read(
                    request, descriptor, hint, field_name=parameter.name
                )
            else:
                arguments[parameter.name] = self._flattened(request, unwrap_optional(hint)[0])
        return arguments

    def _flattened(self, request: Message, cls: type[Any]) -> Any:
        fields = request.DESCRIPTOR.fields_by_name
        if UPDATE_MASK not in fields:
            return dataclass_from_message(request, cls, self.wire_names)
        # An update names the fields it changes: in its mask, or by setting them.
        updatable = {name: hint for name, hint in field_hints(cls).items() if name in fields}
        paths = list(request.update_mask.paths)  # type: ignore[attr-defined]
        unknown = sorted(set(paths) - set(updatable))
        if unknown:
            raise InvalidArgument(
                f"names fields that cannot be updated: {', '.join(unknown)}", field=UPDATE_MASK
            )
        chosen = set(paths) or {name for name in updatable if request.HasField(name)}
        return cls(
            **{
                name: read(request, fields[name], hint, given=True)
                for name, hint in updatable.items()
                if name in chosen
            }
        )

    def response_from_result(self, result: Any) -> Message:
        """The response message carrying the method's return value."""
        response_class = self.response_class
        descriptor = self.rpc.output_type
        fields = descriptor.fields
        if len(fields) == 1:
            if result is None:
                return response_class()
            return response_class(**field_keywords(fields[0], result))
        if fields:
            return response_class(**message_fields(descriptor, result))
        return response_class()


@dataclass(frozen=True)
class ServiceBinding:
    """A service interface bound to its protobuf service, method by method."""

    interface: type[Any]
    service: ServiceDescriptor
    methods: Mapping[str, MethodBinding]

    @property
    def full_name(self) -> str:
        """The protobuf service's full name (``silo.user.v1.UserService``)."""
        return str(self.service.full_name)


def bind(
    interface: type[Any],
    service: ServiceDescriptor,
    wire_names: Mapping[str, Mapping[str, str]] | None = None,
) -> ServiceBinding:
    """Binds every abstract method of ``interface`` to the RPC of the same name in ``service``.

    ``wire_names`` maps a method name to its renamed fields (python name -> wire name), for the
    few fields whose wire name differs. Raises ``BindingError`` when a method has no RPC or an
    RPC no method, so a drift fails at start-up and in the conformance test.
    """
    rpcs = {rpc_key(rpc.name): rpc for rpc in service.methods}
    names = sorted(getattr(interface, "__abstractmethods__", ()))
    missing = [name for name in names if rpc_key(name) not in rpcs]
    extra = sorted(set(rpcs) - {rpc_key(name) for name in names})
    if missing or extra:
        raise BindingError(
            f"{interface.__name__} and {service.full_name} differ: methods without an RPC "
            f"{missing}, RPCs without a method {[rpcs[key].name for key in extra]}"
        )
    methods = {}
    for name in names:
        function = getattr(interface, name)
        rpc = rpcs[rpc_key(name)]
        if rpc.client_streaming or rpc.server_streaming:
            raise BindingError(f"{rpc.full_name} streams: bind it by hand")
        methods[name] = MethodBinding(
            name=name,
            rpc=rpc,
            signature=inspect.signature(function),
            hints=get_type_hints(function),
            wire_names=dict((wire_names or {}).get(name, {})),
        )
    return ServiceBinding(interface=interface, service=service, methods=methods)
